// Onboarding: a person we do not know picks a task; they choose a language (if they never did),
// answer "read" at the read-or-listen question (voiceChoice.test.ts tests it), read what we keep and
// say yes or no; yes links them to their CIP's case (phone number given by
// the channel) or opens a pending case with their first name; no keeps nothing. Replies and
// database effects, in French, Arabic and Dari, with answers in three digit scripts and words.
import type { Activity } from 'botbuilder';
import { translator } from '../../bot/i18n/translator';
import { LANGUAGE_CODES, type LanguageCode } from '../../bot/i18n/languages';
import { firstNameFrom } from '../../bot/services/people';
import { warmUpRecognizers } from '../../dialogs/recognizers/choice';
import { globalCommand } from '../../dialogs/recognizers/keywords';
import { createHarness, type ChannelIdentity, type Harness } from '../support/botHarness';
import { createTempSqlite } from '../support/databases';
import type { TempDatabase } from '../support/postgres';
import { LANGUAGE_MENU } from '../support/botTexts';
import { chooseRead } from '../support/onboardingSteps';

let tmp: TempDatabase;
let h: Harness;

beforeAll(() => warmUpRecognizers()); // their first call costs seconds: not inside a test
beforeEach(async () => {
  tmp = await createTempSqlite();
});
afterEach(async () => {
  await h.close();
  await tmp.drop();
});

async function start(options: { identity?: ChannelIdentity; language?: LanguageCode } = {}) {
  h = await createHarness(tmp.url, { identity: options.identity });
  if (options.language) await h.setProfile({ language: options.language });
  return h;
}

const texts = (replies: Partial<Activity>[]) => replies.map((r) => r.text);

/** Every reply speaks the language (SSML) and says whether an answer is expected. */
function expectVoiceReady(replies: Partial<Activity>[], speechLocale: string) {
  for (const r of replies) {
    expect(r.speak).toContain(`xml:lang="${speechLocale}"`);
    expect(['acceptingInput', 'expectingInput']).toContain(r.inputHint);
  }
}

/** After the thank-you, the task the person picked answers (workshops: built by another issue). */
function expectTaskOpened(replies: Partial<Activity>[]) {
  expect(replies.length).toBeGreaterThan(1);
  const menuQuestion = translator(replies[0].locale as LanguageCode)('menu.question');
  expect(replies[1].text?.startsWith(menuQuestion)).toBe(false);
}

/** Two bubbles (issue 11: short on a phone): what is kept and who sees it; how to stop and delete. */
const FR_CONSENT = [
  'Pour vous aider, je garde votre prénom et vos réponses.\nVotre conseiller voit ces informations.',
  'Pour ne plus recevoir de messages, écrivez « stop ».\nPour effacer vos informations, écrivez « supprimer ».',
];
const FR_QUESTION = "Êtes-vous d'accord ?\n1. Oui\n2. Non\nEnvoyez un numéro.";
/** Issue 14: right after the language, before consent. */
const FR_VOICE_QUESTION = 'Vous préférez lire ou écouter ?\n1. Lire\n2. Écouter';
/** After a miss: the same question, more simply. */
const FR_QUESTION_SIMPLER = "Êtes-vous d'accord ?\n1. Oui, d'accord\n2. Non\nEnvoyez 1 ou 2.";

const messages = () => h.db.prisma.message.findMany({ orderBy: { id: 'asc' } });
const lastMessageId = async () => (await h.db.prisma.message.aggregate({ _max: { id: true } }))._max.id ?? 0;

/** From the first message to the consent question, for a person without a language yet (French: "read"). */
async function toConsent(greeting: string, task: string, language: string) {
  await h.send(greeting);
  await h.send(task);
  return chooseRead(h.send, await h.send(language), 'fr');
}

/** A person whose language is chosen already: a task, the voice question answered "read", the consent question. */
async function taskToConsent(language: LanguageCode, greeting = 'hello', task = '1') {
  await h.send(greeting);
  return chooseRead(h.send, await h.send(task), language);
}

test('French: language list, consent in two bubbles, first name, a pending case', async () => {
  await start();
  await h.send('bonjour');
  const list = await h.send('1');
  expect(list).toHaveLength(1);
  expect(list[0].text).toContain('Choisissez votre langue.');
  for (const line of LANGUAGE_MENU) expect(list[0].text).toContain(line);

  const voice = await h.send('1');
  expect(texts(voice)).toEqual(["D'accord. Maintenant, je parle français.", FR_VOICE_QUESTION]);
  expectVoiceReady(voice, 'fr-FR');
  const consent = await chooseRead(h.send, voice, 'fr');
  expect(texts(consent)).toEqual([...FR_CONSENT, FR_QUESTION]);
  expectVoiceReady(consent, 'fr-FR');
  expect(consent.slice(0, -1).every((r) => r.inputHint === 'acceptingInput')).toBe(true);
  expect(consent.at(-1)!.inputHint).toBe('expectingInput');
  expect(consent.at(-1)!.suggestedActions?.actions.map((a) => a.value)).toEqual(['1', '2']);

  const name = await h.send('oui');
  expect(texts(name)).toEqual(['Quel est votre prénom ?\nÉcrivez seulement votre prénom.']);
  expect(name[0].inputHint).toBe('expectingInput');
  expect(await h.db.prisma.beneficiary.count()).toBe(0); // nothing before the first name

  const done = await h.send('Amina');
  expect(done[0].text).toBe('Merci, Amina !');
  expectTaskOpened(done);
  expectVoiceReady(done, 'fr-FR');

  const [b] = await h.db.prisma.beneficiary.findMany();
  expect(b).toMatchObject({
    firstName: 'Amina',
    language: 'fr',
    status: 'pending',
    phone: null,
    consentAt: h.clock.now,
  });
  expect(await h.profile()).toEqual({
    language: 'fr',
    voice: 'read',
    beneficiaryId: b.id,
    conversationId: 'conversation-1',
  });
  // known now: the next task opens without onboarding
  expect(await h.sendText('0')).toContain('Que voulez-vous faire ?');
  expect(await h.sendText('2')).not.toContain(FR_CONSENT[0]);
});

test('Dari: Persian digits, every text in Dari, and every database effect of consent', async () => {
  await start();
  await h.send('سلام'); // Arabic script: a short list of العربية, دری, پښتو
  expect((await h.send('۱'))[0].text).toContain('2. دری / فارسی');
  const voice = await h.send('۲');
  expect(texts(voice)[0]).toBe('خوب. حالا من دری گپ می‌زنم.');
  expectVoiceReady(voice, 'fa-AF');
  const consent = await chooseRead(h.send, voice, 'fa', '۱');
  expect(texts(consent)).toEqual([
    'برای کمک به شما، نام و جواب‌های شما را نگه می‌دارم.\nمشاور شما این معلومات را می‌بیند.',
    'برای اینکه دیگر پیام نگیرید، «توقف» بنویسید.\nبرای پاک کردن معلومات خود، «پاک کن» بنویسید.',
    'آیا موافق هستید؟\n1. بلی\n2. نه\nیک شماره بفرستید.',
  ]);
  expectVoiceReady(consent, 'fa-AF');
  expect([...voice, ...consent].every((r) => r.locale === 'fa')).toBe(true);

  expect(await h.sendText('۱')).toBe('نام شما چیست؟\nفقط نام خود را بنویسید.');
  const before = await lastMessageId();
  const done = await h.send('فرشته');
  expect(done[0].text).toBe('تشکر، فرشته!');
  expectTaskOpened(done);
  expectVoiceReady(done, 'fa-AF');

  const [b] = await h.db.prisma.beneficiary.findMany();
  expect(b).toMatchObject({ firstName: 'فرشته', language: 'fa', status: 'pending', consentAt: h.clock.now });
  const events = await h.db.prisma.caseEvent.findMany();
  expect(events).toHaveLength(1); // the language chosen before consent goes on no case
  expect(events[0]).toMatchObject({
    beneficiaryId: b.id,
    type: 'consent_given',
    actorType: 'beneficiary',
    actorId: String(b.id),
    payload: { channel: 'test', linked: false, language: 'fa' },
  });
  const refs = await h.db.prisma.conversationRef.findMany();
  expect(refs).toHaveLength(1);
  expect(refs[0]).toMatchObject({
    channel: 'test',
    userKey: 'user-1',
    conversationId: 'conversation-1',
    beneficiaryId: b.id,
  });
  // the conversation so far (recorded before consent) now belongs to the case
  const earlier = (await messages()).filter((m) => m.id <= before);
  expect(earlier.length).toBeGreaterThanOrEqual(8);
  expect(earlier.every((m) => m.beneficiaryId === b.id)).toBe(true);
});

test('Arabic: a language chosen earlier is not asked again; Arabic-Indic digits and نعم', async () => {
  await start();
  await h.send('مرحبا');
  await h.send('6');
  expect(await h.sendText('٣')).toContain('ماذا تريد أن تفعل؟');
  const consent = await chooseRead(h.send, await h.send('١'), 'ar', '١');
  expect(texts(consent)).toEqual([
    'لكي أساعدك، أحفظ اسمك وأجوبتك.\nمرشدك يرى هذه المعلومات.',
    'لكي لا تصلك رسائل بعد الآن، اكتب «توقف».\nلحذف معلوماتك، اكتب «احذف».',
    'هل توافق؟\n1. نعم\n2. لا\nأرسل رقما.',
  ]);
  expectVoiceReady(consent, 'ar-SA');
  expect(await h.sendText('نعم')).toBe('ما اسمك؟\nاكتب اسمك فقط.');
  const done = await h.send('فاطمة');
  expect(done[0].text).toBe('شكرا، فاطمة!');
  expectTaskOpened(done);
  expect(await h.db.prisma.beneficiary.findFirst()).toMatchObject({
    firstName: 'فاطمة',
    language: 'ar',
    status: 'pending',
  });
});

test('no: nothing personal is kept, the way to the platform is given, and the question comes back later', async () => {
  await start();
  await toConsent('bonjour', '1', '1');
  expect((await messages()).length).toBeGreaterThan(0);
  const before = await lastMessageId();

  const replies = await h.send('non');
  expect(texts(replies).slice(0, 3)).toEqual([
    "D'accord. Je ne garde pas vos informations.",
    'Vous pouvez venir nous voir : Passerelle, 3 rue des Écoles, Blois.',
    'Vous pouvez aussi revenir ici quand vous voulez.',
  ]);
  expect(replies[3].text).toContain('Que voulez-vous faire ?'); // the menu comes back
  expectVoiceReady(replies, 'fr-FR');

  expect(await h.db.prisma.beneficiary.count()).toBe(0);
  expect(await h.db.prisma.conversationRef.count()).toBe(0);
  expect(await h.db.prisma.caseEvent.count()).toBe(0);
  expect((await messages()).filter((m) => m.id <= before)).toEqual([]);
  // (The choice to read stays with the language: neither says who the person is.)
  expect(await h.profile()).toEqual({ language: 'fr', voice: 'read', declinedAt: h.clock.now.toISOString() });

  // Later, a task asks again (the language and the voice stay chosen); a yes clears the refusal.
  expect(texts(await h.send('1'))).toEqual([...FR_CONSENT, FR_QUESTION]);
  await h.send('oui');
  await h.send('Amina');
  const b = await h.db.prisma.beneficiary.findFirstOrThrow();
  expect(await h.profile()).toEqual({
    language: 'fr',
    voice: 'read',
    beneficiaryId: b.id,
    conversationId: 'conversation-1',
  });
});

// The recorder writes a turn's rows as the turn ends: the decline turn is marked not to be recorded.
test('no: not even the messages of the turn that says no are kept', async () => {
  await start();
  await toConsent('bonjour', '1', '1');
  await h.send('non');
  expect(await messages()).toEqual([]);
});

test('yes: the messages of the consent turn itself belong to the case', async () => {
  await start();
  await toConsent('bonjour', '1', '1');
  await h.send('oui');
  await h.send('Amina');
  const b = await h.db.prisma.beneficiary.findFirstOrThrow();
  expect((await messages()).every((m) => m.beneficiaryId === b.id)).toBe(true);
});

test("a phone number the channel gives that matches a CIP's case: linked, no first name asked", async () => {
  await start({ identity: { phone: '33612345678' } });
  const cip = await h.db.prisma.beneficiary.create({
    data: { firstName: 'Amina', phone: '+33612345678', status: 'active', language: 'fr' },
  });
  const consent = await toConsent('bonjour', '1', '1');
  expect(consent[0].text).toBe(
    'Pour vous aider, je garde votre prénom, votre numéro de téléphone et vos réponses.\n' +
      'Votre conseiller voit ces informations.',
  );

  const done = await h.send('👍');
  expect(done[0].text).toBe('Merci, Amina !');
  expectTaskOpened(done);
  const all = await h.db.prisma.beneficiary.findMany();
  expect(all).toHaveLength(1);
  expect(all[0]).toMatchObject({ id: cip.id, status: 'active', consentAt: h.clock.now, phone: '+33612345678' });
  expect(await h.db.prisma.caseEvent.findFirst()).toMatchObject({
    beneficiaryId: cip.id,
    type: 'consent_given',
    payload: { linked: true },
  });
  expect(await h.db.prisma.conversationRef.findFirst()).toMatchObject({ beneficiaryId: cip.id });
  expect((await h.profile())?.beneficiaryId).toBe(cip.id);
});

test('a phone number without a case goes on the new pending case; one on an archived case does not', async () => {
  await start({ identity: { phone: '06 12 34 56 78' } });
  await toConsent('bonjour', '1', '1');
  await h.send('oui');
  await h.send('Amina');
  expect(await h.db.prisma.beneficiary.findFirst()).toMatchObject({
    firstName: 'Amina',
    phone: '+33612345678',
    status: 'pending',
  });

  const other = await createHarness(tmp.url, {
    user: 'user-2',
    conversation: 'c-2',
    db: h.db,
    identity: { phone: '+33700000001' },
  });
  const archived = await h.db.prisma.beneficiary.create({
    data: { firstName: 'Old', phone: '+33700000001', status: 'archived' },
  });
  await other.send('bonjour');
  await other.send('1');
  await chooseRead(other.send, await other.send('1'), 'fr');
  expect(await other.sendText('oui')).toContain('Quel est votre prénom ?'); // an archived case is not linked
  expect(await other.sendText('Nadia')).toContain('Merci, Nadia !');
  const nadia = await h.db.prisma.beneficiary.findFirstOrThrow({ where: { firstName: 'Nadia' } });
  expect(nadia).toMatchObject({ phone: null, status: 'pending' });
  expect(await h.db.prisma.caseEvent.findFirst({ where: { beneficiaryId: nadia.id } })).toMatchObject({
    payload: { linked: false, phoneOnCase: archived.id },
  });
});

test('the profile name the channel gives is proposed: yes keeps it, no asks for the first name', async () => {
  await start({ identity: { name: 'Amina 🌸' } });
  await toConsent('bonjour', '1', '1');
  const proposal = await h.send('oui');
  expect(texts(proposal)).toEqual(['Votre prénom est Amina ?\n1. Oui\n2. Non\nEnvoyez un numéro.']);
  expect(proposal[0].inputHint).toBe('expectingInput');
  expect(await h.sendText('1')).toContain('Merci, Amina !');
  expect(await h.db.prisma.beneficiary.findFirst()).toMatchObject({ firstName: 'Amina' });

  const other = await createHarness(tmp.url, {
    user: 'user-2',
    conversation: 'c-2',
    db: h.db,
    identity: { name: 'Amina' },
  });
  await other.setProfile({ language: 'fa' });
  await other.send('سلام');
  await chooseRead(other.send, await other.send('۱'), 'fa', '۱');
  expect(await other.sendText('بلی')).toContain('آیا نام شما Amina است؟');
  expect(await other.sendText('نه')).toBe('نام شما چیست؟\nفقط نام خود را بنویسید.');
  expect(await other.sendText('Fatima')).toContain('تشکر، Fatima!');
  expect(await h.db.prisma.beneficiary.count({ where: { firstName: 'Fatima', language: 'fa' } })).toBe(1);
});

test('a profile name that is not a name is not proposed', async () => {
  await start({ identity: { name: '🌸🌸 1234' }, language: 'fr' });
  await taskToConsent('fr', 'bonjour');
  expect(await h.sendText('oui')).toBe('Quel est votre prénom ?\nÉcrivez seulement votre prénom.');
});

test.each<[LanguageCode, string]>([
  ['fr', 'oui'],
  ['fr', 'yes'],
  ['fr', '✅'],
  ['fr', 'un'],
  ['en', 'yes'],
  ['ar', 'نعم'],
  ['ar', '١'],
  ['fa', 'بلی'],
  ['fa', '۱'],
  ['fa', '👍🏽'],
  ['fa', 'نعم'], // another language's yes
  ['ru', 'да'],
])('%s: "%s" is a yes', async (language, answer) => {
  await start({ language });
  await taskToConsent(language);
  expect(await h.sendText(answer)).toBe(
    `${translator(language)('onboarding.name.question')}\n${translator(language)('onboarding.name.hint')}`,
  );
});

test.each<[LanguageCode, string]>([
  ['fr', 'non'],
  ['fr', '❌'],
  ['fr', 'deux'],
  ['ar', 'لا'],
  ['fa', 'نه'],
  ['fa', '۲'],
  ['ps', 'نه'],
  ['uk', 'ні'],
])('%s: "%s" is a no', async (language, answer) => {
  await start({ language });
  await taskToConsent(language);
  expect((await h.send(answer))[0].text).toBe(translator(language)('onboarding.declined.ok'));
  expect(await h.db.prisma.beneficiary.count()).toBe(0);
});

test('consent not understood: the question again, then after three misses a kind end and the menu', async () => {
  await start({ language: 'fr' });
  await taskToConsent('fr', 'bonjour');
  expect(texts(await h.send('peut-être'))).toEqual(["Je n'ai pas compris.", FR_QUESTION_SIMPLER]);
  expect(texts(await h.send('bof'))).toEqual(["Je n'ai pas compris.", FR_QUESTION_SIMPLER]);
  const end = await h.send('hmm');
  expect(texts(end).slice(0, 2)).toEqual([
    "Je n'ai pas compris. Ce n'est pas grave.",
    'Vous pouvez recommencer quand vous voulez.',
  ]);
  expect(end[2].text).toContain('Que voulez-vous faire ?');
  expectVoiceReady(end, 'fr-FR');
  expect(await h.db.prisma.beneficiary.count()).toBe(0);
  expect(await h.profile()).toEqual({ language: 'fr', voice: 'read' }); // not a refusal
});

test('a first name with digits or signs, or no text, is asked again; three misses end kindly', async () => {
  await start({ language: 'fr' });
  await taskToConsent('fr', 'bonjour');
  await h.send('oui');
  const QUESTION = 'Quel est votre prénom ?\nÉcrivez seulement votre prénom.';
  expect(texts(await h.send('Amina2'))).toEqual(['Écrivez votre prénom avec des lettres, sans chiffres.', QUESTION]);
  expect(texts(await h.send(' '))).toEqual(["Je n'ai pas compris.", QUESTION]);
  const end = await h.send('@@@');
  expect(end[0].text).toBe("Je n'ai pas compris. Ce n'est pas grave.");
  expect(end[2].text).toContain('Que voulez-vous faire ?');
  expect(await h.db.prisma.beneficiary.count()).toBe(0);
});

test('a first name asked again is accepted the second time', async () => {
  await start({ language: 'fa' });
  await taskToConsent('fa', 'سلام', '۱');
  await h.send('۱');
  expect(texts(await h.send('۱۲۳'))).toEqual([
    'نام خود را با حروف بنویسید، بدون عدد.',
    'نام شما چیست؟\nفقط نام خود را بنویسید.',
  ]);
  expect(await h.sendText('محمد‌رضا')).toContain('تشکر، محمد‌رضا!');
  expect(await h.db.prisma.beneficiary.findFirst()).toMatchObject({ firstName: 'محمد‌رضا' });
});

test('the language list not understood three times ends kindly, with no language chosen', async () => {
  await start();
  await h.send('bonjour');
  await h.send('1');
  await h.send('x');
  await h.send('y');
  const end = await h.send('z');
  expect(end[0].text).toBe("Je n'ai pas compris. Ce n'est pas grave.");
  expect(end.at(-1)!.text).toContain('Que voulez-vous faire ?');
  expect(await h.profile()).toEqual({});
});

test('first names: letters of any script, spaces, hyphens, apostrophes; 50 characters at most', () => {
  for (const name of ['Amina', 'Jean-Marie', "N'Golo", 'Abdul Rahman', 'فرشته', 'محمد‌رضا', 'ሰላም', 'Олена', 'Zoë']) {
    expect(firstNameFrom(name)).toBe(name);
  }
  expect(firstNameFrom('  Amina.  ')).toBe('Amina');
  for (const bad of ['', ' ', 'Amina2', '۱۲۳', 'a@b', '--', 'A'.repeat(51), 'Amina 🌸'])
    expect(firstNameFrom(bad)).toBeUndefined();
  expect(firstNameFrom('A'.repeat(50))).toBe('A'.repeat(50));
  expect(firstNameFrom('Amina 🌸', { loose: true })).toBe('Amina');
  expect(firstNameFrom('🌸🌸 1234', { loose: true })).toBeUndefined();
});

test.each([...LANGUAGE_CODES])(
  '%s: the words the consent text gives for "stop" and "delete" work as keywords',
  async (language) => {
    await start({ language });
    const consent = await taskToConsent(language);
    const quoted = (text: string | undefined) => /[«"]\s*(.+?)\s*[»"]/u.exec(text ?? '')?.[1];
    const [stop, erase] = consent[1].text!.split('\n');
    expect(globalCommand(quoted(stop))).toBe('stop');
    expect(globalCommand(quoted(erase))).toBe('delete');
  },
);

// Issue 15's acceptance: consent typed in Latin letters, and a negation phrase that refuses.
test.each<[LanguageCode, string, boolean]>([
  ['fa', 'bale', true],
  ['ar', 'naam', true],
  ['ti', 'ewe', true],
  ['ar', 'غير موافق', false],
  ['fa', 'درست نیست', false],
])('%s: "%s" at the consent question gives consent: %s', async (language, answer, consents) => {
  await start({ language });
  await taskToConsent(language);
  const next = await h.sendText(answer);
  const t = translator(language);
  expect(next).toContain(consents ? t('onboarding.name.question') : t('onboarding.declined.ok'));
  expect(await h.db.prisma.beneficiary.count()).toBe(0); // no case before the name, none at all after a no
  expect((await h.profile())?.declinedAt !== undefined).toBe(!consents);
});
