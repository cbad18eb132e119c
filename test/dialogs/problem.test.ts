// "A problem" (menu 3): report one (category on two pages, urgency, words or a voice note, the
// reference spelled out in speech) or list the open ones; an urgent one is an alert for the CIP.
// In French, Arabic and Dari, with digits of three scripts, number words, labels and mistakes.
import type { Activity } from 'botbuilder';
import { useHarness } from '../support/botHarness';
import { expectAskedAgain } from '../support/replies';
import { warmUpRecognizers } from '../../dialogs/recognizers/choice';
import { zonedTime } from '../../bot/services/time';
import { LANGUAGE_CODES } from '../../bot/i18n/languages';
import { translator } from '../../bot/i18n/translator';
import { BLOCKER_CATEGORIES } from '../../bot/services/blockers';
import { categorySynonyms } from '../../dialogs/problemDialog';
import { globalCommand } from '../../dialogs/recognizers/keywords';
import { normalize, words } from '../../dialogs/recognizers/normalize';

const NOW = zonedTime(2025, 3, 3, 9, 0, 'Europe/Paris');
const VOICE = { contentType: 'audio/ogg', contentUrl: 'https://media.example.org/voice/abc123.ogg' };

let person: { id: number };

beforeAll(() => warmUpRecognizers()); // their first call costs seconds: not inside a test
const h = useHarness({ now: NOW });

/** Sends a message with an attachment (a voice note), returns the replies. */
async function sendAttachment(attachment: { contentType: string; contentUrl: string }): Promise<Partial<Activity>[]> {
  h.adapter.activeQueue.splice(0);
  await h.adapter.receiveActivity({ type: 'message', text: '', attachments: [attachment] } as Partial<Activity>);
  return h.adapter.activeQueue.splice(0);
}

const blockers = () => h.db.prisma.blocker.findMany({ where: { beneficiaryId: person.id }, orderBy: { id: 'asc' } });
const reported = () =>
  h.db.prisma.caseEvent.findMany({
    where: { beneficiaryId: person.id, type: 'blocker_reported' },
    orderBy: { id: 'asc' },
  });

describe('in French', () => {
  beforeEach(async () => {
    person = await h.onboard();
    await h.send('bonjour');
  });

  /** Menu 3, then 1 (report a problem): the category question. */
  const toCategories = async () => {
    await h.send('3');
    await h.send('1');
  };
  /** Answers the urgency question, then describes the problem; the replies to the description. */
  const urgencyAndWords = async (urgency: string, description: string) => {
    await h.send(urgency);
    return h.send(description);
  };

  test('report by labels: the Blocker row, its event and the reference, spelled in speech', async () => {
    expect(await h.sendText('3')).toContain('Que voulez-vous faire ?\n1. Nouveau problème\n2. Mes problèmes');
    const categories = await h.send('nouveau problème');
    expect(categories[0].text).toBe(
      [
        'Quel est le problème ?',
        '1. Logement',
        "2. Garde d'enfants",
        '3. Santé',
        '4. Papiers',
        '5. Transport',
        '6. Argent ou autre chose',
        'Envoyez un numéro.',
      ].join('\n'),
    );
    expect(categories[0].suggestedActions?.actions).toHaveLength(6);
    expect(await h.sendText('logement')).toContain(
      "Problème : Logement.\nQuand avez-vous besoin d'aide ?\n1. Aujourd'hui\n2. Cette semaine\n3. Pas pressé",
    );
    const describe = await h.send('cette semaine');
    expect(describe[0].text).toBe(
      'Expliquez le problème en quelques mots.\nVous pouvez aussi envoyer un message vocal.',
    );
    expect(describe[0].inputHint).toBe('expectingInput');
    const saved = await h.send('Le propriétaire veut que je parte.');
    expect(saved).toHaveLength(2); // the confirmation, then the menu: no alert for a problem of this week

    const [blocker] = await blockers();
    expect(blocker).toMatchObject({
      category: 'housing',
      urgency: 'week',
      description: 'Le propriétaire veut que je parte.',
      status: 'open',
      attachments: null,
    });
    expect(blocker.reference).toMatch(/^B-\d{4}$/);
    expect(saved[0].text).toBe(
      `Merci. J'ai envoyé votre problème à votre conseiller.\nVotre numéro : ${blocker.reference}.`,
    );
    const digits = blocker.reference.slice(2).split('').join(' ');
    expect(saved[0].speak).toContain(`Votre numéro : B ${digits}.`);
    expect(saved[1].text).toContain('Que voulez-vous faire ?\n1. Ateliers');

    const [event] = await reported();
    expect(event).toMatchObject({ actorType: 'beneficiary', actorId: String(person.id), attention: false });
    expect(event.payload).toMatchObject({
      blockerId: blocker.id,
      reference: blocker.reference,
      category: 'housing',
      urgency: 'week',
      voiceNote: false,
    });
  });

  test('"6" shows the second page; "deux" there picks "something else"', async () => {
    await toCategories();
    expect(await h.sendText('6')).toBe(
      ['Quel est le problème ?', '1. Argent', '2. Autre chose', 'Envoyez un numéro.'].join('\n'),
    );
    expect(await h.sendText('deux')).toContain('Problème : Autre chose.');
    await urgencyAndWords('3', 'Je ne comprends pas une lettre.');
    expect(await blockers()).toMatchObject([{ category: 'other', urgency: 'later' }]);
  });

  test('"argent" on the first page goes straight to the urgency', async () => {
    await toCategories();
    expect(await h.sendText('argent')).toContain('Problème : Argent.');
    await urgencyAndWords('2', 'La CAF ne paie plus.');
    expect(await blockers()).toMatchObject([{ category: 'money', urgency: 'week' }]);
  });

  test('urgent housing: an alert for the CIP, and the emergency numbers', async () => {
    await toCategories();
    await h.send('1');
    const saved = await urgencyAndWords("aujourd'hui", 'Je dors dehors ce soir.');
    expect(saved[1].text).toBe(
      "J'ai dit à votre conseiller que c'est urgent.\n" +
        "Pas d'endroit pour dormir ce soir ? Appelez le 115. C'est gratuit.\nEn cas de danger, appelez le 112.",
    );
    expect(await blockers()).toMatchObject([{ category: 'housing', urgency: 'today' }]);
    expect(await reported()).toMatchObject([{ attention: true }]);
  });

  test('three misses on the category: the way out, and its message to the CIP', async () => {
    await toCategories();
    expectAskedAgain(await h.send('quoi ?'), '1. Logement');
    await h.send('12');
    expect(await h.sendText('rien')).toContain(
      'Je ne comprends pas. Que voulez-vous faire ?\n1. Retour au menu\n2. Mon conseiller',
    );
    expect(await h.sendText('2')).toContain('Écrivez votre message pour votre conseiller.');
    const sent = await h.sendText("J'ai un problème mais je ne sais pas lequel.");
    expect(sent).toContain('Merci. Votre message est envoyé à votre conseiller.');
    expect(await blockers()).toEqual([]);
    const messages = await h.db.prisma.caseEvent.findMany({ where: { type: 'message_to_cip' } });
    expect(messages.map((m) => m.payload)).toEqual([{ text: "J'ai un problème mais je ne sais pas lequel." }]);
  });

  test('"My problems" lists the open and in-progress ones, not the resolved ones', async () => {
    const other = await h.db.prisma.beneficiary.create({ data: { firstName: 'Other' } });
    await h.db.prisma.blocker.createMany({
      data: [
        { reference: 'B-1111', beneficiaryId: person.id, category: 'papers', urgency: 'week', status: 'resolved' },
        {
          reference: 'B-2222',
          beneficiaryId: person.id,
          category: 'transport',
          urgency: 'later',
          status: 'in_progress',
          createdAt: new Date(NOW.getTime() - 86400_000),
        },
        {
          reference: 'B-3333',
          beneficiaryId: person.id,
          category: 'childcare',
          urgency: 'today',
          status: 'open',
          createdAt: NOW,
        },
        { reference: 'B-4444', beneficiaryId: other.id, category: 'money', urgency: 'today', status: 'open' },
      ],
    });
    await h.send('3');
    const list = await h.send('mes problèmes');
    expect(list[0].text).toBe(
      [
        'Vous avez 2 problèmes pas encore réglés :',
        "B-3333 : Garde d'enfants, en attente",
        "B-2222 : Transport, votre conseiller s'en occupe",
      ].join('\n'),
    );
    expect(list[0].speak).toContain('B 3 3 3 3 : Garde');
    expect(list[1].text).toContain('Que voulez-vous faire ?');
  });

  test('"My problems" with none says so', async () => {
    await h.send('3');
    expect(await h.sendText('2')).toContain("Vous n'avez pas de problème en attente.");
  });
});

test('in Arabic: an urgent health problem by voice note keeps the attachment and alerts the CIP', async () => {
  person = await h.onboard({ language: 'ar' });
  await h.send('مرحبا');
  expect(await h.sendText('٣')).toContain('1. مشكلة جديدة');
  expect(await h.sendText('١')).toContain('ما هي المشكلة؟\n1. السكن\n2. رعاية الأطفال\n3. الصحة');
  expect(await h.sendText('الثالث')).toContain('المشكلة: الصحة.\nمتى تحتاج إلى مساعدة؟');
  expect(await h.sendText('اليوم')).toContain('اشرح المشكلة بكلمات قليلة.');
  const saved = await sendAttachment(VOICE);
  const [blocker] = await blockers();
  expect(blocker).toMatchObject({ category: 'health', urgency: 'today', description: null });
  expect(blocker.attachments).toEqual([{ contentType: 'audio/ogg', url: VOICE.contentUrl }]);
  // the reference is isolated left to right inside the Arabic sentence
  expect(saved[0].text).toBe(`شكرا. أرسلت مشكلتك إلى مرشدك.\nرقمك: \u2066${blocker.reference}\u2069.`);
  expect(saved[1].text).toBe('أخبرت مرشدك أن الأمر مستعجل.\nإذا كنت في خطر، اتصل بالرقم 112.');
  expect(saved.every((r) => r.locale === 'ar' && r.speak?.includes('xml:lang="ar-SA"'))).toBe(true);
  const [event] = await reported();
  expect(event).toMatchObject({ attention: true });
  expect(event.payload).toMatchObject({ category: 'health', urgency: 'today', voiceNote: true });
});

test('in Dari: Persian digits and words; "my problems" with one problem', async () => {
  person = await h.onboard({ language: 'fa' });
  await h.send('سلام');
  await h.send('۳');
  await h.send('۱');
  expect(await h.sendText('پنج')).toContain('مشکل: ترانسپورت.');
  await h.send('۳');
  await h.send('بس شب نمی‌آید');
  const [blocker] = await blockers();
  expect(blocker).toMatchObject({ category: 'transport', urgency: 'later', description: 'بس شب نمی‌آید' });
  await h.send('۳');
  const list = await h.sendText('۲');
  expect(list).toContain(`1 مشکل دارید که هنوز حل نشده است:\n\u2066${blocker.reference}\u2069: ترانسپورت، در انتظار`);
  expect(await reported()).toMatchObject([{ attention: false }]);
});

test('in every language, a category word names one category only, and none is a keyword ("بس" is "stop")', () => {
  const wrong: string[] = [];
  for (const l of LANGUAGE_CODES) {
    const owner = new Map<string, string>();
    for (const c of BLOCKER_CATEGORIES) {
      for (const w of [translator(l)(`problem.category.${c}`), ...categorySynonyms(l, c)]) {
        const key = words(normalize(w)).join(' ');
        if (owner.has(key) && owner.get(key) !== c) wrong.push(`${l}: "${w}" in ${owner.get(key)} and ${c}`);
        owner.set(key, c);
        if (globalCommand(w)) wrong.push(`${l}: "${w}" is the keyword ${globalCommand(w)}`);
      }
    }
  }
  expect(wrong).toEqual([]);
});
