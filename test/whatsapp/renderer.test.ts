// renderActivities: a turn's replies (as cards/messages.ts makes them) as WhatsApp messages within
// the Cloud API's limits. Statements that follow each other go out as one text; a question with
// 1-3 options becomes reply buttons, 4-10 a list, more numbered text only, and its numbered lines
// always stay in the body; texts are split at 4,096 and button bodies kept within 1,024; hero and
// adaptive cards become text and buttons. Cuts never fall inside a character (emoji, Arabic
// letters with their marks), and right-to-left text and its isolates go out unchanged.
import { CardFactory, type Activity, type Attachment } from 'botbuilder';
import { ask, ltr, say, type NumberedOption } from '../../cards/messages';
import { translator } from '../../bot/i18n/translator';
import { LANGUAGE_CODES } from '../../bot/i18n/languages';
import { LIMITS, type ButtonsMessage, type ListMessage, type TextMessage } from '../../bot/channels/whatsapp/payloads';
import { renderActivities, splitText, truncate, type RenderedMessage } from '../../bot/channels/whatsapp/renderer';

const options = (...labels: string[]): NumberedOption[] => labels.map((label) => ({ label }));
const labels = (n: number, prefix = 'Option') => options(...Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`));

const asText = (r: RenderedMessage) => {
  expect(r.message.type).toBe('text');
  return (r.message as TextMessage).text;
};
const asButtons = (r: RenderedMessage) => {
  expect(r.message.type).toBe('interactive');
  const m = r.message as ButtonsMessage;
  expect(m.interactive.type).toBe('button');
  return m.interactive;
};
/** A card alone in a French message, rendered as reply buttons: the message's text and its buttons. */
const cardAsButtons = (card: Attachment) => {
  const interactive = asButtons(renderActivities([{ type: 'message', attachments: [card] }], 'fr')[0]);
  return { text: interactive.body.text, buttons: interactive.action.buttons.map((b) => b.reply) };
};
/** The same card is rendered as this text and these reply buttons. */
const expectCardAsButtons = (card: Attachment, text: string, buttons: { id: string; title: string }[]) => {
  expect(cardAsButtons(card)).toEqual({ text, buttons });
};
const asList = (r: RenderedMessage) => {
  expect(r.message.type).toBe('interactive');
  const m = r.message as ListMessage;
  expect(m.interactive.type).toBe('list');
  return m.interactive;
};
const graphemes = (s: string) =>
  [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)].map((x) => x.segment);
/** No lone surrogate: every cut fell between two characters. */
const wellFormed = (s: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

// ---- statements ----

test('statements that follow each other go out as one text, in paragraphs', () => {
  const out = renderActivities(
    [say('fr', 'Bonjour !'), say('fr', 'Je suis Passerelle.', 'Je vous aide.'), say('fr', 'À bientôt.')],
    'fr',
  );
  expect(out).toHaveLength(1);
  expect(asText(out[0])).toEqual({
    body: 'Bonjour !\n\nJe suis Passerelle.\nJe vous aide.\n\nÀ bientôt.',
    preview_url: false,
  });
  expect(out[0].text).toBe('Bonjour !\n\nJe suis Passerelle.\nJe vous aide.\n\nÀ bientôt.');
  expect(out[0].choices).toBeUndefined();
});

test('activities that are not messages and empty statements send nothing', () => {
  const typing: Partial<Activity> = { type: 'typing' };
  const event: Partial<Activity> = { type: 'event', name: 'x', text: 'not for people' };
  expect(renderActivities([typing, event, say('fr', ''), say('fr', '  \n ')], 'fr')).toEqual([]);
  expect(renderActivities([], 'fr')).toEqual([]);
  const out = renderActivities([typing, say('fr', 'Un'), event, say('fr', 'Deux')], 'fr');
  expect(out.map((r) => r.text)).toEqual(['Un\n\nDeux']);
});

test('a text over 4,096 characters is split at a paragraph', () => {
  const [a, b, c] = ['a', 'b', 'c'].map((x) => x.repeat(2000));
  const out = renderActivities([say('fr', a), say('fr', b), say('fr', c)], 'fr');
  expect(out.map((r) => asText(r).body)).toEqual([`${a}\n\n${b}`, c]);
});

test('a text over 4,096 characters with no paragraph is split at a line, then at a space', () => {
  const lines = Array.from({ length: 100 }, (_, i) => `${String(i).padStart(2, '0')} ${'x'.repeat(60)}`); // 63 each
  const byLine = splitText(lines.join('\n'), LIMITS.text);
  expect(byLine.length).toBe(2);
  for (const part of byLine) expect(part.length).toBeLessThanOrEqual(LIMITS.text);
  expect(byLine.join('\n')).toBe(lines.join('\n'));
  // 64 lines of 63 characters and 63 line breaks make 4,095: the most whole lines that fit.
  expect(byLine[0]).toBe(lines.slice(0, 64).join('\n'));
  expect(byLine[1]).toBe(lines.slice(64).join('\n'));

  const words = Array.from({ length: 1000 }, (_, i) => `mot${i}`).join(' ');
  const bySpace = splitText(words, LIMITS.text);
  for (const part of bySpace) expect(part.length).toBeLessThanOrEqual(LIMITS.text);
  expect(bySpace.join(' ')).toBe(words);
  for (const part of bySpace) expect(part).toMatch(/^mot\d+( mot\d+)*$/); // no word cut
});

test('a text with no separator at all is cut at the limit', () => {
  const long = 'z'.repeat(10000);
  expect(splitText(long, LIMITS.text).map((p) => p.length)).toEqual([4096, 4096, 1808]);
  const out = renderActivities([say('fr', long)], 'fr');
  expect(out.map((r) => asText(r).body.length)).toEqual([4096, 4096, 1808]);
});

test('a long text of emoji is never cut inside one', () => {
  const thumb = '👍🏽'; // 4 UTF-16 units, one character
  const text = thumb.repeat(2000);
  const parts = splitText(text, LIMITS.text);
  expect(parts.length).toBe(2);
  for (const part of parts) {
    expect(part.length).toBeLessThanOrEqual(LIMITS.text);
    expect(part.length % thumb.length).toBe(0);
    expect(wellFormed(part)).toBe(true);
  }
  expect(parts.join('')).toBe(text);
});

test('a long Arabic word with its marks is never cut between a letter and its marks', () => {
  const letter = 'بِّ'; // ب with kasra and shadda: 3 units, one character
  const text = letter.repeat(3000);
  const parts = splitText(text, 1000);
  for (const part of parts) {
    expect(part.length).toBeLessThanOrEqual(1000);
    expect(graphemes(part).every((g) => g === letter)).toBe(true);
  }
  expect(parts.join('')).toBe(text);
});

// ---- questions ----

test('a question with 2 options: reply buttons that send the number, the statement before it in the same body', () => {
  const out = renderActivities([say('fr', 'Merci.'), ask('fr', 'Vous êtes d’accord ?', options('Oui', 'Non'))], 'fr');
  expect(out).toHaveLength(1);
  const interactive = asButtons(out[0]);
  expect(interactive.body.text).toBe('Merci.\n\nVous êtes d’accord ?\n1. Oui\n2. Non');
  expect(interactive.action.buttons).toEqual([
    { type: 'reply', reply: { id: '1', title: '1. Oui' } },
    { type: 'reply', reply: { id: '2', title: '2. Non' } },
  ]);
  expect(out[0].text).toBe(interactive.body.text);
  expect(out[0].choices).toEqual(['1', '2']);
});

test('statements after a question go out after it, as their own text', () => {
  const out = renderActivities(
    [ask('fr', 'Question ?', options('Oui', 'Non')), say('fr', 'Après.'), say('fr', 'Encore.')],
    'fr',
  );
  expect(out).toHaveLength(2);
  asButtons(out[0]);
  expect(asText(out[1]).body).toBe('Après.\n\nEncore.');
});

test('two questions in a row: two interactive messages, in order', () => {
  const out = renderActivities([ask('fr', 'A ?', options('Oui', 'Non')), ask('fr', 'B ?', labels(5))], 'fr');
  expect(asButtons(out[0]).body.text).toBe('A ?\n1. Oui\n2. Non');
  expect(asList(out[1]).body.text).toMatch(/^B \?\n1\. Option 1/);
});

test('a question with 1 and with 3 options: buttons; titles over 20 characters are shortened with "…"', () => {
  const single = renderActivities([ask('fr', 'Continuer ?', options('Oui'))], 'fr');
  expect(asButtons(single[0]).action.buttons.map((b) => b.reply.id)).toEqual(['1']);

  const out = renderActivities(
    [ask('fr', 'Que voulez-vous faire ?', options('Ateliers', 'Écrire à mon conseiller', 'Un problème'))],
    'fr',
  );
  const buttons = asButtons(out[0]).action.buttons;
  expect(buttons.map((b) => b.reply)).toEqual([
    { id: '1', title: '1. Ateliers' },
    { id: '2', title: '2. Écrire à mon con…' },
    { id: '3', title: '3. Un problème' },
  ]);
  for (const b of buttons) expect(b.reply.title.length).toBeLessThanOrEqual(LIMITS.buttonTitle);
  // The body keeps the full labels: the button only mirrors them.
  expect(asButtons(out[0]).body.text).toContain('2. Écrire à mon conseiller');
});

test('a question with 4 options: a list, rows with the numbers as ids, its button in the language', () => {
  const out = renderActivities(
    [ask('fr', 'Que voulez-vous faire ?', options('Ateliers', 'Mon travail', 'Un problème', 'Mon agenda'))],
    'fr',
  );
  const list = asList(out[0]);
  expect(list.body.text).toBe('Que voulez-vous faire ?\n1. Ateliers\n2. Mon travail\n3. Un problème\n4. Mon agenda');
  expect(list.action).toEqual({
    button: 'Choisir',
    sections: [
      {
        rows: [
          { id: '1', title: '1. Ateliers' },
          { id: '2', title: '2. Mon travail' },
          { id: '3', title: '3. Un problème' },
          { id: '4', title: '4. Mon agenda' },
        ],
      },
    ],
  });
  expect(out[0].choices).toEqual(['1', '2', '3', '4']);
});

test.each(LANGUAGE_CODES)('the list button in %s is whatsapp.choose, within 20 characters', (code) => {
  const out = renderActivities([ask(code, '?', labels(6))], code);
  const expected = translator(code)('whatsapp.choose');
  expect(expected).not.toBe('whatsapp.choose'); // the key exists
  expect(asList(out[0]).action.button).toBe(truncate(expected, LIMITS.listButton));
  expect(asList(out[0]).action.button.length).toBeLessThanOrEqual(LIMITS.listButton);
});

test('list rows: a title over 24 characters is shortened, the whole label goes in the description (72 at most)', () => {
  const out = renderActivities(
    [
      ask(
        'fr',
        'Quel atelier ?',
        options(
          'Codes du travail',
          'Écrire à mon conseiller',
          'Visite d’entreprise : la ferme du Plateau, avec le transport en minibus depuis la gare',
          'Sport',
        ),
      ),
    ],
    'fr',
  );
  const [short, medium, long] = asList(out[0]).action.sections[0].rows;
  expect(short).toEqual({ id: '1', title: '1. Codes du travail' });
  expect(short).not.toHaveProperty('description');
  expect(medium).toEqual({ id: '2', title: '2. Écrire à mon conseil…', description: '2. Écrire à mon conseiller' });
  expect(long.title.length).toBeLessThanOrEqual(LIMITS.rowTitle);
  expect(long.description!.length).toBeLessThanOrEqual(LIMITS.rowDescription);
  expect(long.description!.endsWith('…')).toBe(true);
  expect(long.description!.startsWith('3. Visite d’entreprise : la ferme du Plateau')).toBe(true);
  expect(asList(out[0]).body.text).toContain(
    '3. Visite d’entreprise : la ferme du Plateau, avec le transport en minibus depuis la gare',
  );
});

test('a question with 10 options is still a list; with 11 it is numbered text only', () => {
  const ten = renderActivities([ask('fr', 'Choisissez :', labels(10))], 'fr');
  expect(ten).toHaveLength(1);
  expect(asList(ten[0]).action.sections[0].rows.map((r) => r.id)).toEqual([
    '1',
    '2',
    '3',
    '4',
    '5',
    '6',
    '7',
    '8',
    '9',
    '10',
  ]);

  const eleven = renderActivities([say('fr', 'Voici la liste.'), ask('fr', 'Choisissez :', labels(11))], 'fr');
  expect(eleven).toHaveLength(1);
  const body = asText(eleven[0]).body;
  expect(body.startsWith('Voici la liste.\n\nChoisissez :\n1. Option 1\n')).toBe(true);
  expect(body.endsWith('\n11. Option 11')).toBe(true);
  expect(eleven[0].choices).toBeUndefined();
});

test(
  'a button body over 1,024 characters: what comes before goes ' +
    'first, the question and its numbered lines stay in the body',
  () => {
    const intro = 'Information importante. '.repeat(60).trim(); // about 1,440 characters
    const out = renderActivities(
      [say('fr', intro), ask('fr', 'Vous confirmez ?', options('Oui', 'Non', 'Je ne sais pas'))],
      'fr',
    );
    expect(out).toHaveLength(2);
    expect(asText(out[0]).body).toBe(intro);
    const interactive = asButtons(out[1]);
    expect(interactive.body.text).toBe('Vous confirmez ?\n1. Oui\n2. Non\n3. Je ne sais pas');
  },
);

test('a question alone over 1,024 characters: its first lines go before, its last (the options) in the body', () => {
  const lines = Array.from({ length: 40 }, (_, i) => `Ligne ${i + 1} : ${'détail '.repeat(5).trim()}`);
  const question = ask('fr', lines, options('Oui', 'Non'), ['Répondez par le numéro.']);
  const out = renderActivities([question], 'fr');
  expect(out.length).toBeGreaterThanOrEqual(2);
  const last = asButtons(out[out.length - 1]);
  expect(last.body.text.length).toBeLessThanOrEqual(LIMITS.buttonsBody);
  expect(last.body.text.endsWith('1. Oui\n2. Non\nRépondez par le numéro.')).toBe(true);
  // Nothing lost, nothing repeated.
  const before = out.slice(0, -1).map((r) => asText(r).body);
  expect([...before, last.body.text].join('\n')).toBe(question.text);
});

test('a list body over 4,096 characters keeps its numbered lines in the body too', () => {
  // about 5,000 characters
  const intro = Array.from({ length: 120 }, (_, i) => `Paragraphe ${i} ${'texte '.repeat(6)}`.trim()).join('\n');
  const out = renderActivities([ask('fr', intro, labels(5))], 'fr');
  const list = asList(out[out.length - 1]);
  expect(list.body.text.length).toBeLessThanOrEqual(LIMITS.listBody);
  expect(
    list.body.text.endsWith(['1. Option 1', '2. Option 2', '3. Option 3', '4. Option 4', '5. Option 5'].join('\n')),
  ).toBe(true);
  for (const r of out.slice(0, -1)) expect(asText(r).body.length).toBeLessThanOrEqual(LIMITS.text);
});

// ---- cards and attachments ----

test('a hero card: its title and text in the body, its buttons as reply buttons', () => {
  const card = CardFactory.heroCard(
    'Atelier CV',
    ['https://example.org/cv.png'],
    [
      { type: 'imBack', title: 'Je viens', value: '1' },
      { type: 'imBack', title: 'Pas cette fois', value: 2 },
    ],
    { subtitle: 'Mardi 3 mars, 9 h 30', text: 'Centre social, salle 2' },
  );
  expectCardAsButtons(card, 'Atelier CV\nMardi 3 mars, 9 h 30\nCentre social, salle 2', [
    { id: '1', title: 'Je viens' },
    { id: '2', title: 'Pas cette fois' },
  ]);
});

test('a hero card without buttons is a statement', () => {
  const card = CardFactory.heroCard('Rappel', undefined, undefined, { text: 'Demain 9 h' });
  const out = renderActivities([say('fr', 'Bonjour.'), { type: 'message', attachments: [card] }], 'fr');
  expect(out.map((r) => asText(r).body)).toEqual(['Bonjour.\n\nRappel\nDemain 9 h']);
});

test('an adaptive card: its text blocks (nested too) in the body, its submit actions as buttons', () => {
  const card = CardFactory.adaptiveCard({
    type: 'AdaptiveCard',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: 'Votre rendez-vous' },
      {
        type: 'Container',
        items: [
          { type: 'TextBlock', text: 'Lundi, 14 h' },
          { type: 'Image', url: 'https://example.org/x.png' },
        ],
      },
      { type: 'ColumnSet', columns: [{ type: 'Column', items: [{ type: 'TextBlock', text: 'Salle 2' }] }] },
    ],
    actions: [
      { type: 'Action.Submit', title: 'Confirmer', data: '1' },
      { type: 'Action.Submit', title: 'Annuler' },
      { type: 'Action.OpenUrl', title: 'Plan', url: 'https://example.org' },
    ],
  });
  expectCardAsButtons(card, 'Votre rendez-vous\nLundi, 14 h\nSalle 2', [
    { id: '1', title: 'Confirmer' },
    { id: 'Annuler', title: 'Annuler' },
  ]);
});

test('a file attachment goes out as its name and link', () => {
  const out = renderActivities(
    [
      {
        type: 'message',
        text: 'Votre attestation :',
        attachments: [
          { contentType: 'application/pdf', contentUrl: 'https://example.org/a.pdf', name: 'attestation.pdf' },
        ],
      },
    ],
    'fr',
  );
  expect(asText(out[0]).body).toBe('Votre attestation :\nattestation.pdf: https://example.org/a.pdf');
});

// ---- right to left ----

test('Arabic text with isolated left-to-right pieces goes out unchanged', () => {
  const sentence = `رقم مشكلتك هو ${ltr('B-4821', 'ar')}. سنتصل بك على ${ltr('+33 6 00 00 00 01', 'ar')}.`;
  expect(sentence).toContain('\u2066B-4821\u2069');
  const out = renderActivities([say('ar', '\u200fشكرا لك.'), say('ar', sentence)], 'ar');
  expect(asText(out[0]).body).toBe(`\u200fشكرا لك.\n\n${sentence}`);
});

test('an Arabic question: body, buttons and list rows keep the text and its isolates', () => {
  const ar = ask('ar', `هل تأتي إلى ورشة ${ltr('CV', 'ar')}؟`, options('نعم', 'لا'));
  const buttons = asButtons(renderActivities([ar], 'ar')[0]);
  expect(buttons.body.text).toBe(ar.text);
  expect(buttons.body.text).toContain('\u2066CV\u2069');
  expect(buttons.action.buttons.map((b) => b.reply.title)).toEqual(['1. نعم', '2. لا']);

  const fa = ask('fa', 'کدام زبان؟', options('دری / فارسی', 'پښتو', 'العربية', `${ltr('English', 'fa')} انگلیسی`));
  const list = asList(renderActivities([fa], 'fa')[0]);
  expect(list.body.text).toBe(fa.text);
  expect(list.action.button).toBe('انتخاب');
  expect(list.action.sections[0].rows.map((r) => r.title)).toEqual([
    '1. دری / فارسی',
    '2. پښتو',
    '3. العربية',
    '4. \u2066English\u2069 انگلیسی',
  ]);
});

// ---- truncate ----

test('truncate leaves a text that fits unchanged', () => {
  expect(truncate('1. Oui', 20)).toBe('1. Oui');
  expect(truncate('x'.repeat(20), 20)).toBe('x'.repeat(20));
  expect(truncate('', 5)).toBe('');
});

test('truncate cuts to at most the limit, ending with "…", without spaces before it', () => {
  expect(truncate('x'.repeat(21), 20)).toBe(`${'x'.repeat(19)}…`);
  expect(truncate('1. Mon travail de demain', 16)).toBe('1. Mon travail…');
  expect(truncate('1. Mon travail de demain', 16).length).toBeLessThanOrEqual(16);
});

test.each([
  { what: 'emoji with a skin tone', text: '👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽', max: 10 },
  { what: 'a family emoji (joined by ZWJ)', text: '1. 👨‍👩‍👧‍👦 Famille 👨‍👩‍👧‍👦', max: 14 },
  { what: 'flags', text: '🇫🇷🇦🇫🇪🇷🇸🇾🇺🇦🇸🇩', max: 9 },
  { what: 'Arabic letters with marks', text: 'مُحَمَّدٌ رَسُولُ', max: 6 },
  { what: 'Dari with a zero-width non-joiner', text: 'می‌خواهم کار پیدا کنم', max: 9 },
  { what: 'Tigrinya', text: 'ሰላም ከመይ ኣለኻ ሎሚ', max: 7 },
])('truncate never splits a character: $what', ({ text, max }) => {
  const cut = truncate(text, max);
  expect(cut.length).toBeLessThanOrEqual(max);
  expect(cut.endsWith('…')).toBe(true);
  expect(wellFormed(cut)).toBe(true);
  const kept = graphemes(cut.slice(0, -1));
  expect(kept).toEqual(graphemes(text).slice(0, kept.length));
});

test('a character longer than the limit leaves only "…"', () => {
  expect(truncate('👨‍👩‍👧‍👦👨‍👩‍👧‍👦', 5)).toBe('…');
});

test(
  'a card of buttons with no words: the button titles are ' +
    'the body; a button with neither title nor value is left out',
  () => {
    const card = CardFactory.heroCard('', '', undefined, [
      { type: 'imBack', title: 'Oui', value: '1' },
      { type: 'imBack', title: 'Non', value: '2' },
    ]);
    expect(cardAsButtons(card).text).toBe('Oui\nNon');
    const odd = renderActivities(
      [
        {
          type: 'message',
          text: 'Choisissez.',
          suggestedActions: {
            to: [],
            actions: [
              { type: 'imBack', title: '', value: { x: 1 } } as never,
              { type: 'imBack', title: 'B', value: 'b' },
            ],
          },
        },
      ],
      'fr',
    );
    expect(asButtons(odd[0]).action.buttons.map((b) => b.reply.id)).toEqual(['b']);
  },
);
