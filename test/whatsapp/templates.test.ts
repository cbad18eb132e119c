// The template registry (WHATSAPP_TEMPLATES): reading and checking it, with readable errors; the
// bundled registry (the default of WHATSAPP_TEMPLATES); and buildTemplate: the template message of a kind for a person,
// its body
// parameters filled from the message's values and formatted in the template's language (Tigrinya
// speakers get the English template, formatted in English), empty values as "-", whitespace
// collapsed, quick-reply buttons with their payloads, and the text as the person reads it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { textOf, translator } from '../../bot/i18n/translator';
import { LANGUAGE_CODES, type LanguageCode } from '../../bot/i18n/languages';
import { DEFAULT_TEMPLATES } from '../../bot/runtime/config';
import { projectRoot } from '../../bot/runtime/paths';
import {
  buildTemplate,
  missingKinds,
  parameterText,
  parseTemplateRegistry,
  readTemplateRegistry,
  SHOW_WAITING_PAYLOAD,
  TEMPLATE_KINDS,
  type TemplateEntry,
  type TemplateRegistry,
} from '../../bot/channels/whatsapp/templates';

const BUNDLED = path.resolve(projectRoot, DEFAULT_TEMPLATES);
const TZ = 'Europe/Paris';
const LANGUAGES = { fr: 'fr', en: 'en', ar: 'ar', fa: 'prs_AF', ps: 'ps_AF', ti: 'en', ru: 'ru', uk: 'uk' };
const entry = (extra: Record<string, unknown> = {}) => ({
  name: 'passerelle_test',
  languages: { ...LANGUAGES },
  ...extra,
});

let registry: TemplateRegistry;
beforeAll(() => {
  registry = readTemplateRegistry(BUNDLED);
});

/** The error message of a registry that must be refused. */
function refusal(raw: unknown): string {
  try {
    parseTemplateRegistry(raw);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('accepted');
}

// ---- the registry ----

test('the bundled registry is valid and has a template for all 7 kinds', () => {
  expect(Object.keys(registry).sort()).toEqual([...TEMPLATE_KINDS].sort());
  expect(TEMPLATE_KINDS).toHaveLength(7);
  expect(missingKinds(registry)).toEqual([]);
  for (const kind of TEMPLATE_KINDS) {
    expect(registry[kind]!.name).toBe(`passerelle_${kind}`);
    expect(Object.keys(registry[kind]!.languages).sort()).toEqual([...LANGUAGE_CODES].sort());
  }
});

test('the bundled registry sends Tigrinya speakers the English template, Dari and Pashto their Afghan codes', () => {
  for (const kind of TEMPLATE_KINDS) {
    expect(registry[kind]!.languages).toMatchObject({ ti: 'en', en: 'en', fa: 'prs_AF', ps: 'ps_AF' });
  }
});

test("the bundled message_waiting button carries the channel's own payload", () => {
  expect(registry.message_waiting!.buttons).toEqual([SHOW_WAITING_PAYLOAD]);
});

test.each(LANGUAGE_CODES)(
  'in %s, every template text has one {{n}} per parameter and one button label per button',
  (code) => {
    const t = translator(code);
    for (const kind of TEMPLATE_KINDS) {
      const e = registry[kind]!;
      const text = t(`whatsapp.templates.${kind}`, { defaultValue: '' });
      expect(text).not.toBe('');
      const placeholders = [...text.matchAll(/\{\{(\d+)\}\}/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
      expect(placeholders).toEqual(e.parameters.map((_, i) => i + 1));
      const buttons = textOf(code, `whatsapp.templateButtons.${kind}`, { defaultValue: '' });
      expect(buttons ? buttons.split('|').length : 0).toBe(e.buttons.length);
    }
  },
);

test('a missing file and a file that is not JSON give readable errors', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'templates-'));
  try {
    expect(() => readTemplateRegistry(path.join(dir, 'none.json'))).toThrow('no such file');
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{ "reminder": ');
    expect(() => readTemplateRegistry(bad)).toThrow(/^not valid JSON \(/);
    const good = path.join(dir, 'good.json');
    fs.writeFileSync(good, JSON.stringify({ reminder: entry() }));
    expect(Object.keys(readTemplateRegistry(good))).toEqual(['reminder']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.each([
  ['an array', []],
  ['null', null],
  ['a string', 'reminder'],
  ['a number', 7],
])('a registry that is %s is refused', (_, raw) => {
  expect(refusal(raw)).toBe('must be a JSON object mapping each kind of message to its template');
});

test('an unknown kind is refused, naming the known ones', () => {
  expect(refusal({ remainder: entry() })).toBe(`unknown kind "remainder" (known: ${TEMPLATE_KINDS.join(', ')})`);
});

test('"$" keys are comments; an empty registry is valid and misses every kind', () => {
  const parsed = parseTemplateRegistry({ $comment: 'x', $schema: 1 });
  expect(parsed).toEqual({});
  expect(missingKinds(parsed)).toEqual([...TEMPLATE_KINDS]);
});

test('parameters and buttons default to none', () => {
  expect(parseTemplateRegistry({ checkin: entry() }).checkin).toEqual({
    name: 'passerelle_test',
    languages: LANGUAGES,
    parameters: [],
    buttons: [],
  });
});

test.each([
  [
    'a name with capitals',
    { name: 'Passerelle_Reminder' },
    'reminder.name: a template name is lower case letters, digits and _',
  ],
  [
    'a name with a dash',
    { name: 'passerelle-reminder' },
    'reminder.name: a template name is lower case letters, digits and _',
  ],
  ['no name', { name: undefined }, 'reminder.name:'],
  [
    "a language code that is not Meta's",
    { languages: { ...LANGUAGES, fr: 'french' } },
    'reminder.languages.fr: must be a Meta language code such as fr or prs_AF',
  ],
  [
    'a region in lower case',
    { languages: { ...LANGUAGES, fa: 'prs_af' } },
    'reminder.languages.fa: must be a Meta language code',
  ],
  ['a missing language', { languages: { ...LANGUAGES, ti: undefined } }, 'reminder.languages.ti:'],
  [
    'a parameter with an empty step',
    { parameters: ['session..place'] },
    'reminder.parameters.0: must be a path such as session.place',
  ],
  [
    'an unknown format',
    { parameters: ['person.firstName', 'session.startsAt:weekday'] },
    'reminder.parameters.1: must be a path',
  ],
  ['a parameter that starts with a digit', { parameters: ['1st'] }, 'reminder.parameters.0:'],
  ['more than 10 parameters', { parameters: Array.from({ length: 11 }, (_, i) => `p${i}`) }, 'reminder.parameters:'],
  ['an empty button payload', { buttons: [''] }, 'reminder.buttons.0:'],
  ['a button payload over 128 characters', { buttons: ['x'.repeat(129)] }, 'reminder.buttons.0:'],
  ['parameters that are not a list', { parameters: 'person.firstName' }, 'reminder.parameters:'],
])('%s is refused with the path of the problem', (_, change, message) => {
  expect(refusal({ reminder: entry(change) })).toContain(message);
});

test('every problem is reported at once', () => {
  const message = refusal({
    foo: {},
    reminder: entry({ name: 'Bad' }),
    checkin: entry({ parameters: ['a:b'] }),
    shift_confirmation: 'x',
  });
  const problems = message.split('; ');
  expect(problems[0]).toMatch(/^unknown kind "foo"/);
  expect(problems.some((p) => p.startsWith('reminder.name:'))).toBe(true);
  expect(problems.some((p) => p.startsWith('checkin.parameters.0:'))).toBe(true);
  expect(problems.some((p) => p.startsWith('shift_confirmation.:'))).toBe(true);
});

// ---- buildTemplate ----

const session = {
  workshopCode: 'paperwork',
  title: 'Papiers (titre en base)',
  startsAt: '2026-03-03T08:30:00.000Z',
  place: 'Centre social Bellecour',
};
const invitation = { person: { firstName: 'Amadou' }, session };

test('a French workshop invitation: the template, its five parameters formatted in French, two quick replies', () => {
  const built = buildTemplate(registry.workshop_invitation!, 'workshop_invitation', 'fr', invitation, TZ);
  expect(built.language).toBe('fr');
  expect(built.message).toEqual({
    type: 'template',
    template: {
      name: 'passerelle_workshop_invitation',
      language: { code: 'fr' },
      components: [
        {
          type: 'body',
          parameters: ['Amadou', 'Papiers et démarches', 'mardi 3 mars', '9 h 30', 'Centre social Bellecour'].map(
            (text) => ({ type: 'text', text }),
          ),
        },
        { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: '1' }] },
        { type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: '2' }] },
      ],
    },
  });
  expect(built.text).toBe(
    'Bonjour Amadou. Vous êtes invité à un atelier : Papiers et démarches. Jour : mardi 3 mars. ' +
      'Heure : 9 h 30. Lieu : Centre social Bellecour. Vous venez ?',
  );
});

test('English: English dates and times', () => {
  const built = buildTemplate(registry.workshop_invitation!, 'workshop_invitation', 'en', invitation, TZ);
  const [body] = built.message.template.components!;
  expect(body).toEqual({
    type: 'body',
    parameters: ['Amadou', 'Papers and official steps', 'Tuesday 3 March', '9:30', 'Centre social Bellecour'].map(
      (text) => ({ type: 'text', text }),
    ),
  });
  expect(built.text).toBe(
    'Hello Amadou. You are invited to a workshop: Papers and official steps. Day: Tuesday 3 March. ' +
      'Time: 9:30. Where: Centre social Bellecour. Will you come?',
  );
});

test('Tigrinya: the English template, in English, with English formatting and text', () => {
  const ti = buildTemplate(registry.workshop_invitation!, 'workshop_invitation', 'ti', invitation, TZ);
  const en = buildTemplate(registry.workshop_invitation!, 'workshop_invitation', 'en', invitation, TZ);
  expect(ti.language).toBe('en');
  expect(ti.message.template.language).toEqual({ code: 'en' });
  expect(ti).toEqual(en);
  expect(ti.text).toBe(
    translator('en')('whatsapp.templates.workshop_invitation', {
      1: 'Amadou',
      2: 'Papers and official steps',
      3: 'Tuesday 3 March',
      4: '9:30',
      5: 'Centre social Bellecour',
    }),
  );
  expect(ti.text).not.toBe(
    translator('ti')('whatsapp.templates.workshop_invitation', {
      1: 'Amadou',
      2: 'Papers and official steps',
      3: 'Tuesday 3 March',
      4: '9:30',
      5: 'Centre social Bellecour',
    }),
  );
});

test('Dari (prs_AF) and Arabic: the template language code of the registry, formatted in the language', () => {
  const fa = buildTemplate(registry.workshop_invitation!, 'workshop_invitation', 'fa', invitation, TZ);
  expect(fa.language).toBe('fa');
  expect(fa.message.template.language).toEqual({ code: 'prs_AF' });
  const faParams = (fa.message.template.components![0] as { parameters: { text: string }[] }).parameters.map(
    (p) => p.text,
  );
  expect(faParams[1]).toBe(translator('fa')('workshops.titles.paperwork'));
  expect(faParams[3]).toBe('9:30'); // Latin digits (one system per message, see README), Gregorian calendar
  expect(faParams[2]).toContain('مارچ');
  expect(fa.text.startsWith('سلام Amadou.')).toBe(true);

  const ar = buildTemplate(registry.workshop_invitation!, 'workshop_invitation', 'ar', invitation, TZ);
  expect(ar.message.template.language).toEqual({ code: 'ar' });
  expect((ar.message.template.components![0] as { parameters: { text: string }[] }).parameters[2].text).toBe(
    'الثلاثاء، 3 مارس',
  );
});

test.each(LANGUAGE_CODES)(
  'in %s, the text is whatsapp.templates.<kind> of the template language with every parameter filled',
  (code: LanguageCode) => {
    const values = {
      person: { firstName: 'Hawa' },
      beneficiary: { firstName: 'Hawa' },
      session,
      item: { title: 'Atelier CV', startsAt: '2026-03-03T08:30:00.000Z', place: 'Salle 2' },
      shift: {
        startsAt: '2026-03-04T07:00:00.000Z',
        endsAt: '2026-03-04T11:30:00.000Z',
        structure: 'Jardins de Cocagne',
      },
      placement: { structure: 'Ressourcerie du Rhône' },
    };
    for (const kind of TEMPLATE_KINDS) {
      const built = buildTemplate(registry[kind]!, kind, code, values, TZ);
      expect(built.language).toBe(code === 'ti' ? 'en' : code);
      expect(built.text).not.toMatch(/\{\{|\}\}/);
      expect(built.text).not.toContain('whatsapp.templates');
      const body = built.message.template.components?.find((c) => c.type === 'body') as {
        parameters: { text: string }[];
      };
      for (const p of body.parameters) {
        expect(p.text).not.toBe('-');
        expect(built.text).toContain(p.text);
      }
    }
  },
);

test('a shift confirmation: the day and the time range in the time zone of the platform', () => {
  const values = {
    person: { firstName: 'Dawit' },
    shift: {
      startsAt: '2026-03-04T07:00:00.000Z',
      endsAt: '2026-03-04T11:30:00.000Z',
      structure: 'Jardins de Cocagne',
    },
  };
  const built = buildTemplate(registry.shift_confirmation!, 'shift_confirmation', 'fr', values, TZ);
  expect(built.text).toBe(
    'Bonjour Dawit. Vous travaillez mercredi 4 mars, 8 h – 12 h 30, chez Jardins de Cocagne. Vous venez ?',
  );
  expect(buildTemplate(registry.shift_confirmation!, 'shift_confirmation', 'fr', values, 'UTC').text).toContain(
    '7 h – 11 h 30',
  );
});

test('waitlist_promoted has no buttons: only the body component', () => {
  const built = buildTemplate(registry.waitlist_promoted!, 'waitlist_promoted', 'fr', invitation, TZ);
  expect(built.message.template.components!.map((c) => c.type)).toEqual(['body']);
  expect(built.text).toBe(
    'Bonne nouvelle, Amadou : une place est libre pour vous. Atelier : Papiers et démarches. ' +
      'Date : mardi 3 mars, 9 h 30. Lieu : Centre social Bellecour.',
  );
});

test('message_waiting: the first name and the show-waiting quick reply', () => {
  const built = buildTemplate(
    registry.message_waiting!,
    'message_waiting',
    'uk',
    { person: { firstName: 'Olena' } },
    TZ,
  );
  expect(built.message.template.components).toEqual([
    { type: 'body', parameters: [{ type: 'text', text: 'Olena' }] },
    {
      type: 'button',
      sub_type: 'quick_reply',
      index: '0',
      parameters: [{ type: 'payload', payload: SHOW_WAITING_PAYLOAD }],
    },
  ]);
  expect(built.text).toContain('Olena');
});

test('a template without parameters or buttons has no components at all', () => {
  const bare = parseTemplateRegistry({ checkin: entry() }).checkin!;
  const built = buildTemplate(bare, 'checkin', 'fr', {}, TZ);
  expect(built.message).toEqual({ type: 'template', template: { name: 'passerelle_test', language: { code: 'fr' } } });
});

test('a missing or empty value is "-" (Meta refuses empty parameters)', () => {
  const built = buildTemplate(
    registry.workshop_invitation!,
    'workshop_invitation',
    'fr',
    { person: { firstName: '   ' }, session: { startsAt: 'not a date' } },
    TZ,
  );
  const texts = (built.message.template.components![0] as { parameters: { text: string }[] }).parameters.map(
    (p) => p.text,
  );
  expect(texts).toEqual(['-', '-', '-', '-', '-']);
  expect(built.text).toBe('Bonjour -. Vous êtes invité à un atelier : -. Jour : -. Heure : -. Lieu : -. Vous venez ?');
});

test.each([
  ['no value', {}, 'person.firstName'],
  ['null', { person: { firstName: null } }, 'person.firstName'],
  ['an empty string', { person: { firstName: '' } }, 'person.firstName'],
  ['an object where text is expected', { person: { firstName: { given: 'A' } } }, 'person.firstName'],
  ['a path through a string', { person: 'Amadou' }, 'person.firstName'],
  ['a date that is not one', { s: { at: 'soon' } }, 's.at:day'],
  ['a time range without its end', { shift: { startsAt: '2026-03-04T07:00:00.000Z' } }, 'shift:timeRange'],
  ['a title that is neither a workshop nor a name', { session: { title: 42 } }, 'session:title'],
])('parameterText: %s gives "-"', (_, values, parameter) => {
  expect(parameterText(parameter, values, 'fr', TZ)).toBe('-');
});

test('parameterText ":title": a workshop\'s title in the language, anything else (a structure\'s name) as is', () => {
  expect(
    parameterText('item:title', { item: { workshopCode: 'paperwork', title: 'Papiers et démarches' } }, 'en', TZ),
  ).toBe(translator('en')('workshops.titles.paperwork'));
  expect(parameterText('item:title', { item: { title: 'Les Jardins du Val de Loire' } }, 'ar', TZ)).toBe(
    'Les Jardins du Val de Loire',
  );
});

test('parameterText: line breaks, tabs and runs of spaces collapse to one space, ends trimmed', () => {
  expect(parameterText('p', { p: '  Centre\n social\t\tBellecour \r\n salle   2  ' }, 'fr', TZ)).toBe(
    'Centre social Bellecour salle 2',
  );
  expect(parameterText('p', { p: '\u00a0Rue\u00a0de la\u2003Paix\n' }, 'fr', TZ)).toBe('Rue de la Paix');
});

test('parameterText: numbers and booleans as text; a value over 1,000 characters cut', () => {
  expect(parameterText('n', { n: 0 }, 'fr', TZ)).toBe('0');
  expect(parameterText('n', { n: 12 }, 'fr', TZ)).toBe('12');
  expect(parameterText('b', { b: false }, 'fr', TZ)).toBe('false');
  expect(parameterText('p', { p: 'x'.repeat(1500) }, 'fr', TZ)).toHaveLength(1000);
});

test('parameterText: dates as Date, ISO text or milliseconds, in the language asked', () => {
  const at = new Date('2026-03-03T08:30:00.000Z');
  for (const value of [at, at.toISOString(), at.getTime()]) {
    expect(parameterText('x:dateTime', { x: value }, 'fr', TZ)).toBe('mardi 3 mars, 9 h 30');
    expect(parameterText('x:time', { x: value }, 'ru', TZ)).toBe('9:30');
  }
  expect(parameterText('x:day', { x: at }, 'uk', TZ)).toBe('вівторок, 3 березня');
});

test('parameterText: a workshop title in the language, else the title of the database', () => {
  expect(parameterText('s:title', { s: { workshopCode: 'paperwork', title: 'x' } }, 'en', TZ)).toBe(
    'Papers and official steps',
  );
  expect(parameterText('s:title', { s: { workshopCode: 'not_a_code', title: 'Atelier spécial' } }, 'en', TZ)).toBe(
    'Atelier spécial',
  );
});

test('the payloads of the buttons are sent as written, in order', () => {
  const e: TemplateEntry = parseTemplateRegistry({ checkin: entry({ buttons: ['3', '1', 'passerelle:x'] }) }).checkin!;
  const built = buildTemplate(e, 'checkin', 'fr', {}, TZ);
  expect(built.message.template.components).toEqual(
    ['3', '1', 'passerelle:x'].map((payload, i) => ({
      type: 'button',
      sub_type: 'quick_reply',
      index: String(i),
      parameters: [{ type: 'payload', payload }],
    })),
  );
});
