// Issue 14: read or listen. Right after the language (chosen from the list, or confirmed),
// onboarding asks "Do you prefer to read or to listen? 1 read / 2 listen" in the person's language,
// and that question is heard; "2", the word, or a voice note choose to listen, "1" or the word to
// read; the choice goes on the case at consent (voiceMode). After consent, "écouter" / "lire" (in
// any language) switch: the case is updated, a voice_changed event goes on its timeline, the bot
// says so, and from that very reply on the turn is heard (or not).
import type { Activity } from 'botbuilder';
import { translator } from '../../bot/i18n/translator';
import type { LanguageCode } from '../../bot/i18n/languages';
import { turnListens } from '../../bot/turns/turnState';
import { warmUpRecognizers } from '../../dialogs/recognizers/choice';
import { createHarness, type Harness } from '../support/botHarness';
import { createTempSqlite } from '../support/databases';
import { expectVoiceQuestion, isVoiceQuestion } from '../support/onboardingSteps';
import type { TempDatabase } from '../support/postgres';

let tmp: TempDatabase;
let h: Harness;
/** Whether the last turn's replies are to be heard (turnState, read as the turn ends). */
let heard: boolean | undefined;

beforeAll(() => warmUpRecognizers()); // their first call costs seconds: not inside a test
beforeEach(async () => {
  tmp = await createTempSqlite();
  heard = undefined;
});
afterEach(async () => {
  await h.close();
  await tmp.drop();
});

/** A harness whose turns tell whether they were heard (the harness has no voice of its own). */
async function start(options: Parameters<typeof createHarness>[1] = {}) {
  h = await createHarness(tmp.url, options);
  h.adapter.use({
    onTurn: async (context, next) => {
      await next();
      heard = turnListens(context);
    },
  });
  return h;
}

const texts = (replies: Partial<Activity>[]) => replies.map((r) => r.text);

/** A voice note: an audio attachment and no text (no transcription in this harness). */
async function sendVoiceNote(): Promise<Partial<Activity>[]> {
  h.adapter.activeQueue.splice(0);
  await h.adapter.receiveActivity({
    type: 'message',
    attachments: [{ contentType: 'audio/ogg', contentUrl: 'https://example.test/voice-note.ogg' }],
  });
  return h.adapter.activeQueue.splice(0);
}

/** A task picked, then the language chosen from the list: the replies end with the voice question. */
async function toVoiceQuestion(greeting: string, language: string) {
  await h.send(greeting);
  await h.send('1');
  return h.send(language);
}

/** Consent given and a first name: the case opens. */
async function consentAndName(yes: string, firstName: string) {
  await h.send(yes);
  const done = await h.send(firstName);
  expect(done[0].text).toContain(firstName);
  return h.db.prisma.beneficiary.findFirstOrThrow({ where: { firstName } });
}

describe('the question, right after the language', () => {
  test('French from the list: the question is heard, in French, with 1 and 2; consent follows the answer', async () => {
    await start();
    const asked = await toVoiceQuestion('bonjour', '1');
    expect(texts(asked)).toEqual([
      "D'accord. Maintenant, je parle français.",
      'Vous préférez lire ou écouter ?\n1. Lire\n2. Écouter',
    ]);
    expectVoiceQuestion(asked, 'fr');
    const question = asked.at(-1)!;
    expect(question.speak).toContain('xml:lang="fr-FR"');
    expect(question.inputHint).toBe('expectingInput');
    expect(question.suggestedActions?.actions.map((a) => a.value)).toEqual(['1', '2']);
    expect(heard).toBe(true); // someone who cannot read hears the question
    expect(await h.db.prisma.beneficiary.count()).toBe(0);

    const consent = await h.send('1');
    expect(consent.at(-1)!.text).toContain(translator('fr')('onboarding.consent.question'));
    expect(texts(consent).some((text) => text?.includes(translator('fr')('voice.question')))).toBe(false);
  });

  test.each<[string, string, LanguageCode, string]>([
    // the short list the script suggests: Arabic script 1 العربية 2 دری 3 پښتو; Cyrillic 1 Русский 2 Українська
    ['مرحبا', '1', 'ar', 'ar-SA'],
    ['سلام', '۲', 'fa', 'fa-AF'],
    ['привет', '1', 'ru', 'ru-RU'],
  ])('"%s", then language %s: the question in that language, heard', async (greeting, choice, code, speech) => {
    await start();
    const asked = await toVoiceQuestion(greeting, choice);
    expect(asked.every((r) => r.locale === code)).toBe(true);
    expectVoiceQuestion(asked, code);
    expect(asked.at(-1)!.speak).toContain(`xml:lang="${speech}"`);
    expect(heard).toBe(true);
  });

  test('a language the channel gave, confirmed with "1": the question comes next, in it', async () => {
    await start({ channelLocale: 'ar-SA' });
    await h.send('مرحبا');
    expect(await h.sendText('1')).toContain('العربية؟');
    const asked = await h.send('١');
    expect(asked).toHaveLength(1);
    expectVoiceQuestion(asked, 'ar');
    expect(heard).toBe(true);
  });

  test('a language chosen before (at the menu): the question comes first when a task starts', async () => {
    await start();
    await h.setProfile({ language: 'uk' });
    await h.send('привіт');
    const asked = await h.send('1');
    expect(asked).toHaveLength(1);
    expectVoiceQuestion(asked, 'uk');
  });
});

describe('the answer', () => {
  test('"1": read; the turn is not heard; the case says read', async () => {
    await start();
    await toVoiceQuestion('bonjour', '1');
    await h.send('1');
    expect(heard).toBe(false);
    expect((await h.profile())?.voice).toBe('read');
    const b = await consentAndName('oui', 'Amina');
    expect(b.voiceMode).toBe('read');
    expect((await h.profile())?.voice).toBe('read');
  });

  test('"2": listen, heard from that answer on (the consent text too); the case says listen', async () => {
    await start();
    await toVoiceQuestion('bonjour', '1');
    const consent = await h.send('2');
    expect(consent.at(-1)!.text).toContain(translator('fr')('onboarding.consent.question'));
    expect(heard).toBe(true);
    expect(await h.profile()).toEqual({ language: 'fr', voice: 'listen' });
    expect(await h.db.prisma.beneficiary.count()).toBe(0); // nothing on a case before consent
    const b = await consentAndName('oui', 'Amina');
    expect(b.voiceMode).toBe('listen');
    // Only the keyword after consent is an event: the choice made before it came with the consent.
    expect((await h.db.prisma.caseEvent.findMany()).map((e) => e.type)).toEqual(['consent_given']);
  });

  test.each<[string, string, LanguageCode, string, 'listen' | 'read']>([
    ['bonjour', '1', 'fr', 'Écouter', 'listen'],
    ['bonjour', '1', 'fr', 'écouter', 'listen'],
    ['bonjour', '1', 'fr', 'lire', 'read'],
    ['مرحبا', '1', 'ar', 'الاستماع', 'listen'],
    ['مرحبا', '1', 'ar', '٢', 'listen'],
    ['مرحبا', '1', 'ar', 'القراءة', 'read'],
    ['سلام', '2', 'fa', 'شنیدن', 'listen'],
    ['سلام', '2', 'fa', '۲', 'listen'],
  ])('%s, language %s (%s): "%s" chooses %s', async (greeting, choice, code, answer, mode) => {
    await start();
    expectVoiceQuestion(await toVoiceQuestion(greeting, choice), code);
    const consent = await h.send(answer);
    // The answer is taken (no "not understood", no second question): consent comes, in the language.
    expect(consent.at(-1)!.text).toContain(translator(code)('onboarding.consent.question'));
    expect(consent.every((r) => r.locale === code)).toBe(true);
    expect(heard).toBe(mode === 'listen');
    expect((await h.profile())?.voice).toBe(mode);
  });

  test('a voice note (audio, no text) chooses listen', async () => {
    await start();
    await toVoiceQuestion('bonjour', '1');
    const consent = await sendVoiceNote();
    expect(consent.at(-1)!.text).toContain(translator('fr')('onboarding.consent.question'));
    expect(texts(consent)).not.toContain(translator('fr')('prompt.cannotListen'));
    expect(heard).toBe(true);
    expect((await h.profile())?.voice).toBe('listen');
    const b = await consentAndName('1', 'Amina');
    expect(b.voiceMode).toBe('listen');
  });

  test('not understood: asked again, in the language; nothing chosen', async () => {
    await start();
    await toVoiceQuestion('bonjour', '1');
    const again = await h.send('peut-être');
    expect(again[0].text).toBe(translator('fr')('prompt.notUnderstood'));
    expectVoiceQuestion(again, 'fr');
    expect((await h.profile())?.voice).toBeUndefined();
  });

  test('"écouter" as the first message: the question is not asked later, the case says listen', async () => {
    await start();
    const said = await h.send('écouter');
    expect(said[0].text).toBe(translator('fr')('voice.nowListening'));
    expect(said.at(-1)!.text).toContain('Que voulez-vous faire ?'); // then the menu
    expect(heard).toBe(true);
    expect(await h.profile()).toEqual({ voice: 'listen' });
    expect(await h.db.prisma.beneficiary.count()).toBe(0);
    await h.send('1');
    const consent = await h.send('1'); // French, from the list
    expect(consent.some((r) => isVoiceQuestion(r, 'fr'))).toBe(false);
    expect(consent.at(-1)!.text).toContain(translator('fr')('onboarding.consent.question'));
    const b = await consentAndName('oui', 'Amina');
    expect(b.voiceMode).toBe('listen');
  });
});

describe('after consent, the keywords switch', () => {
  const voiceEvents = () =>
    h.db.prisma.caseEvent.findMany({ where: { type: 'voice_changed' }, orderBy: { id: 'asc' } });

  test('"écouter" then "lire": the case, its timeline, what the bot says, and whether the turn is heard', async () => {
    await start();
    await toVoiceQuestion('bonjour', '1');
    await h.send('1'); // read
    const b = await consentAndName('oui', 'Amina');
    expect(b.voiceMode).toBe('read');
    await h.send('0'); // the menu

    const listening = await h.send('écouter');
    expect(listening[0].text).toBe("D'accord. Maintenant, je parle avec ma voix.");
    expect(listening.at(-1)!.text).toContain('Que voulez-vous faire ?'); // the menu asked again
    expect(heard).toBe(true);
    expect((await h.db.prisma.beneficiary.findUniqueOrThrow({ where: { id: b.id } })).voiceMode).toBe('listen');
    expect((await h.profile())?.voice).toBe('listen');

    const reading = await h.send('lire');
    expect(reading[0].text).toBe("D'accord. Maintenant, j'écris seulement.");
    expect(heard).toBe(false);
    expect((await h.db.prisma.beneficiary.findUniqueOrThrow({ where: { id: b.id } })).voiceMode).toBe('read');
    expect((await h.profile())?.voice).toBe('read');

    const events = await voiceEvents();
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      beneficiaryId: b.id,
      actorType: 'beneficiary',
      actorId: String(b.id),
      payload: { to: 'listen' },
    });
    expect(events[1]).toMatchObject({ beneficiaryId: b.id, payload: { to: 'read' } });
  });

  test('in Arabic, in the middle of a task: switched, said in Arabic, the question asked again', async () => {
    await start();
    const b = await h.onboard({ language: 'ar' });
    await h.send('مرحبا');
    const menu = await h.send('6'); // the language list: a question waiting for its answer
    const listening = await h.send('استماع');
    expect(listening[0].text).toBe(translator('ar')('voice.nowListening'));
    expect(listening[0].locale).toBe('ar');
    expect(listening.at(-1)!.text).toBe(menu.at(-1)!.text); // the same question again
    expect(heard).toBe(true);
    expect((await h.db.prisma.beneficiary.findUniqueOrThrow({ where: { id: b.id } })).voiceMode).toBe('listen');
    expect(await voiceEvents()).toEqual([expect.objectContaining({ payload: { to: 'listen' } })]);
  });

  test('a known person who never chose: "listen" in English is an event too', async () => {
    await start();
    const b = await h.onboard({ language: 'en' });
    await h.send('hello');
    expect((await h.send('listen'))[0].text).toBe('OK. Now I speak with my voice.');
    expect(heard).toBe(true);
    expect((await h.db.prisma.beneficiary.findUniqueOrThrow({ where: { id: b.id } })).voiceMode).toBe('listen');
    expect(await voiceEvents()).toHaveLength(1);
  });
});

describe('before consent', () => {
  test('"écouter" at the language list: heard from then on, and the question is not asked again', async () => {
    await start();
    await h.send('bonjour');
    const list = await h.send('1');
    expect(list.at(-1)!.text).toContain(translator('fr')('language.question'));
    const said = await h.send('écouter');
    expect(said[0]!.text).toBe(translator('fr')('voice.nowListening'));
    expect(said.at(-1)!.text).toContain(translator('fr')('language.question'));
    expect(heard).toBe(true);
    const next = await h.send('1');
    expect(next.some((r) => isVoiceQuestion(r, 'fr'))).toBe(false);
    expect(texts(next).join('\n')).toContain(translator('fr')('onboarding.consent.question'));
    const person = await consentAndName('1', 'Amina');
    expect(person.voiceMode).toBe('listen');
  });

  test('a photo at the question is not an answer: the question again, heard again', async () => {
    await start();
    await toVoiceQuestion('bonjour', '1');
    h.adapter.activeQueue.splice(0);
    await h.adapter.receiveActivity({
      type: 'message',
      attachments: [{ contentType: 'image/jpeg', contentUrl: 'https://example.test/photo.jpg' }],
    });
    const again = h.adapter.activeQueue.splice(0);
    expect(again.some((r) => isVoiceQuestion(r, 'fr'))).toBe(true);
    expect(heard).toBe(true);
    const answered = await sendVoiceNote();
    expect(texts(answered).join('\n')).toContain(translator('fr')('onboarding.consent.question'));
  });
});
