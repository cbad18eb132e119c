// Issue 11, the conversation as a refugee meets it on a phone: a language the channel gave (the web
// chat page's ?lang=ar) stays chosen: a new person is asked "العربية؟ 1. نعم / 2. لغة أخرى", never
// the bare list, and "1" keeps it; the consent text is two bubbles in every language; a workshop
// reads line by line in Arabic, Dari and Pashto, its Latin parts isolated, with Latin digits only;
// a solar year is echoed as written; the answers to the questions we send that record something
// never take a negation for the positive option.
import type { Activity } from 'botbuilder';
import { translator } from '../../bot/i18n/translator';
import { LANGUAGE_CODES, type LanguageCode } from '../../bot/i18n/languages';
import { zonedTime } from '../../bot/services/time';
import { warmUpRecognizers } from '../../dialogs/recognizers/choice';
import { createHarness, type Harness } from '../support/botHarness';
import { createTempSqlite } from '../support/databases';
import type { TempDatabase } from '../support/postgres';
import { chooseRead } from '../support/onboardingSteps';
import { restartedBot } from '../support/restartedBot';

let tmp: TempDatabase;
let h: Harness;

beforeAll(() => warmUpRecognizers());
beforeEach(async () => {
  tmp = await createTempSqlite();
});
afterEach(async () => {
  await h?.close();
  await tmp.drop();
});

const texts = (replies: Partial<Activity>[]) => replies.map((r) => r.text ?? '');
const FSI = '\u2068';
const PDI = '\u2069';
/** Digits other than Latin ones: Arabic-Indic and Persian. */
const NATIVE_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/;

describe('a language the channel gave stays chosen', () => {
  test.each<[LanguageCode, string, string, string]>([
    ['ar', 'ar-SA', 'العربية؟\n1. نعم\n2. لغة أخرى', 'ماذا تريد أن تفعل؟'],
    ['fa', 'fa-AF', 'دری / فارسی؟\n1. بلی\n2. زبان دیگر', translator('fa')('menu.question')],
  ])(
    '%s: the first task asks "<language>? 1 yes / 2 another language"; "1" keeps it; consent follows in it',
    async (code, channelLocale, confirm, menu) => {
      h = await createHarness(tmp.url, { channelLocale });
      const greeting = await h.send('hello');
      expect(greeting.at(-1)!.text).toContain(menu);
      const asked = await h.send('1');
      expect(texts(asked)).toEqual([confirm]);
      expect(asked[0].locale).toBe(code);
      expect(asked[0].suggestedActions?.actions.map((a) => a.value)).toEqual(['1', '2']);
      expect(texts(asked).join('\n')).not.toContain(translator(code)('language.question'));

      const voice = await h.send('1');
      expect(voice.every((r) => r.locale === code)).toBe(true);
      const consent = await chooseRead(h.send, voice, code);
      const t = translator(code);
      expect(consent.at(-1)!.text?.startsWith(t('onboarding.consent.question'))).toBe(true);
      expect(consent.length - 1).toBeLessThanOrEqual(2); // the consent text: two bubbles at most
      expect(consent.every((r) => r.locale === code)).toBe(true);
      expect(await h.profile()).toMatchObject({ language: code, channelLanguage: code });

      await h.send('1');
      await h.send(code === 'ar' ? 'سمير' : 'فرشته');
      expect(await h.db.prisma.beneficiary.findFirstOrThrow()).toMatchObject({ language: code, status: 'pending' });
    },
  );

  test('"٢" (another language) shows the list with its question; a choice there is the new language', async () => {
    h = await createHarness(tmp.url, { channelLocale: 'ar-SA' });
    await h.send('مرحبا');
    await h.send('١');
    const list = await h.sendText('٢');
    expect(list).toContain('اختر لغتك.');
    expect(list).toContain('4. دری / فارسی');
    const voice = await h.send('4');
    expect(voice[0].text).toBe('خوب. حالا من دری گپ می‌زنم.');
    const consent = await chooseRead(h.send, voice, 'fa');
    expect(consent.at(-1)!.text).toContain('آیا موافق هستید؟');
    expect((await h.profile())?.language).toBe('fa');
  });

  test('an unclear confirmation is asked again; a negation never keeps it; nothing is stored before', async () => {
    h = await createHarness(tmp.url, { channelLocale: 'ar-SA' });
    await h.send('مرحبا');
    await h.send('1');
    expect(texts(await h.send('ربما'))).toEqual(['لم أفهم.', 'العربية؟\n1. نعم\n2. لغة أخرى\nأرسل 1 أو 2.']);
    expect((await h.profile())?.language).toBeUndefined();
    expect(await h.sendText('لا')).toContain('اختر لغتك.');
  });

  test(
    'without a language from the channel (WhatsApp), or with the default ' +
      'one (a page without ?lang= says French), the list comes as before',
    async () => {
      h = await createHarness(tmp.url);
      await h.send('bonjour');
      expect(await h.sendText('1')).toContain('Choisissez votre langue.');
      const page = await createHarness(tmp.url, {
        user: 'user-2',
        conversation: 'c-2',
        channelLocale: 'fr-FR',
        db: h.db,
      });
      await page.send('bonjour');
      expect(await page.sendText('1')).toContain('Choisissez votre langue.');
    },
  );

  test('English from the channel: "English? 1. Yes / 2. Another language"', async () => {
    h = await createHarness(tmp.url, { channelLocale: 'en-US' });
    await h.send('hello');
    expect(await h.sendText('1')).toBe('English?\n1. Yes\n2. Another language');
    expect(await h.sendText('yes')).toBe('Do you prefer to read or to listen?\n1. Read\n2. Listen');
    expect(await h.sendText('1')).toContain('Do you agree?');
  });

  test("a language chosen in the bot wins over the channel's, in a later conversation too", async () => {
    h = await createHarness(tmp.url, { channelLocale: 'ar-SA' });
    await h.onboard({ language: 'ar' });
    await h.send('مرحبا');
    await h.send('6');
    await h.send('2');
    const again = await restartedBot(h, tmp.url, { user: 'user-1', conversation: 'c-2', channelLocale: 'ar-SA' });
    expect(await again.sendText('hello')).toContain('What do you want to do?');
  });
});

describe('consent fits in two bubbles', () => {
  test.each([...LANGUAGE_CODES])(
    '%s: what is kept and who sees it; how to stop and delete; then the question',
    async (code) => {
      h = await createHarness(tmp.url);
      await h.setProfile({ language: code });
      await h.send('hello');
      const replies = await chooseRead(h.send, await h.send('1'), code);
      const t = translator(code);
      expect(replies).toHaveLength(3);
      expect(texts(replies)[0]).toBe([t('onboarding.consent.stored'), t('onboarding.consent.who')].join('\n'));
      expect(texts(replies)[1].split('\n')).toHaveLength(2);
      expect(texts(replies)[2].startsWith(t('onboarding.consent.question'))).toBe(true);
      // short, plain sentences: a phone screen each
      for (const bubble of texts(replies).slice(0, 2)) expect(bubble.length).toBeLessThanOrEqual(160);
    },
  );

  test('with a phone number from the channel, the first bubble says the number is kept', async () => {
    h = await createHarness(tmp.url, { identity: { phone: '33612345678' } });
    await h.setProfile({ language: 'fr' });
    await h.send('bonjour');
    const replies = await chooseRead(h.send, await h.send('1'), 'fr');
    expect(texts(replies)).toEqual([
      'Pour vous aider, je garde votre prénom, votre numéro de téléphone et vos réponses.\n' +
        'Votre conseiller voit ces informations.',
      'Pour ne plus recevoir de messages, écrivez « stop ».\nPour effacer vos informations, écrivez « supprimer ».',
      "Êtes-vous d'accord ?\n1. Oui\n2. Non\nEnvoyez un numéro.",
    ]);
  });
});

describe('workshops in a right-to-left language', () => {
  const NOW = new Date('2026-03-02T08:00:00Z');
  const PLACE = 'Passerelle, 3 rue des Écoles, Blois';

  async function session(capacity: number) {
    const workshop = await h.db.prisma.workshop.create({
      data: { code: 'paperwork', title: 'Papiers et démarches', category: 'paperwork' },
    });
    const startsAt = zonedTime(2026, 3, 3, 9, 30, 'Europe/Paris');
    return h.db.prisma.workshopSession.create({
      data: {
        workshopId: workshop.id,
        startsAt,
        endsAt: new Date(startsAt.getTime() + 2 * 3600_000),
        place: PLACE,
        capacity,
        audience: 'over25',
      },
    });
  }

  test.each<[LanguageCode, string]>([
    ['ar', '3 أماكن متاحة'],
    ['fa', '3 جای خالی'],
    ['ps', '3 خالي ځایونه'],
  ])(
    '%s: title, day and time, place, seats on their own lines; Latin parts isolated; Latin digits only',
    async (code, seats) => {
      h = await createHarness(tmp.url, { now: new Date(NOW) });
      await session(3);
      await h.onboard({ language: code, birthYear: 1990 });
      await h.send('hello');
      await h.send('1');
      const list = await h.send('1');
      const text = list.at(-1)!.text!;
      const lines = text.split('\n');
      const at = lines.findIndex((l) => l.startsWith('1. '));
      const t = translator(code);
      expect(lines[at]).toBe(`1. ${t('workshops.titles.paperwork')}`);
      expect(lines[at + 1]).toMatch(/\u20689:30\u2069/); // the day and the time, digits isolated
      expect(lines[at + 2]).toBe(`${FSI}${PLACE}${PDI}`);
      expect(lines[at + 3].replace(/[\u2068\u2069]/g, '')).toBe(seats);
      expect(lines[at + 3]).toMatch(/^\u20683\u2069 /);
      expect(text).not.toMatch(NATIVE_DIGITS);

      // The booking's confirmation: the same, the place isolated inside its sentence.
      const booked = await h.send('1');
      expect(booked[0].text).toContain(`${FSI}${PLACE}${PDI}`);
      expect(booked[0].text).not.toMatch(NATIVE_DIGITS);
    },
  );

  test('French keeps its one-line entry', async () => {
    h = await createHarness(tmp.url, { now: new Date(NOW) });
    await session(3);
    await h.onboard({ language: 'fr', birthYear: 1990 });
    await h.send('bonjour');
    await h.send('1');
    expect(await h.sendText('1')).toContain(
      `1. Papiers et démarches – mardi 3 mars, 9 h 30 – ${PLACE} – 3 places libres`,
    );
  });

  test.each<[LanguageCode, string, string]>([
    ['fa', '۱۳۷۰', '۱۳۷۰ (\u20681991\u2069)'],
    ['ps', '1370', '\u20681370\u2069 (\u20681991\u2069)'],
    ['fa', '1991', '\u20681991\u2069'],
  ])('%s: a year of birth written "%s" is echoed as written, with the Gregorian year', async (code, answer, echoed) => {
    h = await createHarness(tmp.url, { now: new Date(NOW) });
    await session(3);
    const me = await h.onboard({ language: code, birthYear: null });
    await h.send('hello');
    await h.send('1');
    await h.send('1');
    const saved = await h.send(answer);
    expect(saved[0].text).toBe(translator(code)('workshops.birthYear.saved', { year: echoed }));
    expect(await h.db.prisma.beneficiary.findUniqueOrThrow({ where: { id: me.id } })).toMatchObject({
      birthYear: 1991,
    });
  });
});
