// Menu 1, workshops, end to end through the bot (TestAdapter, real pipeline, SQLite): booking,
// the year of birth, age groups, pages, the waiting list, cancelling and the promotion of the next
// person in line, shifts at the same time, sessions that started, and misunderstood answers; in
// French, Arabic, Dari and English. Each test checks the replies and what the database holds.
import { ActivityTypes, TurnContext, type Activity } from 'botbuilder';
import { book } from '../../bot/services/workshops';
import { zonedTime } from '../../bot/services/time';
import { seedDemoData } from '../../prisma/seed';
import { parseBirthYear } from '../../dialogs/workshops/birthYear';
import { createHarness, type Harness } from '../support/botHarness';
import { FR_SEND_A_NUMBER } from '../support/botTexts';
import { expectAskedAgain, expectQuestion, expectSaidThenMenu } from '../support/replies';
import { createTempSqlite } from '../support/databases';
import type { TempDatabase } from '../support/postgres';

/** Monday 2 March 2026, 9:00 in Paris. */
const NOW = new Date('2026-03-02T08:00:00Z');
const PLATFORM = 'Passerelle, 3 rue des Écoles, Blois';
const paris = (day: number, hour: number, minute = 0) => zonedTime(2026, 3, day, hour, minute, 'Europe/Paris');

let tmp: TempDatabase;
let h: Harness;

beforeEach(async () => {
  tmp = await createTempSqlite();
  h = await createHarness(tmp.url, { now: new Date(NOW) });
});
afterEach(async () => {
  await h.close();
  await tmp.drop();
});

const TITLES: Record<string, string> = {
  paperwork: 'Papiers et démarches',
  digital: 'Le téléphone et internet pour l’emploi',
  job_search: 'Chercher un emploi : CV et entretien',
};

async function addSession(
  code: string,
  startsAt: Date,
  more: { capacity?: number; audience?: string; place?: string } = {},
) {
  const workshop = await h.db.prisma.workshop.upsert({
    where: { code },
    create: { code, title: TITLES[code] ?? code, category: code },
    update: {},
  });
  return h.db.prisma.workshopSession.create({
    data: {
      workshopId: workshop.id,
      startsAt,
      endsAt: new Date(startsAt.getTime() + 2 * 3600_000),
      place: more.place ?? PLATFORM,
      capacity: more.capacity ?? 12,
      audience: more.audience ?? 'over25',
    },
  });
}

/** Tuesday 9:30 "paperwork" (12 seats), Wednesday 14:00 "digital" (1 seat), and a Thursday session for under-25s. */
async function threeSessions() {
  const paperwork = await addSession('paperwork', paris(3, 9, 30));
  const digital = await addSession('digital', paris(4, 14), { capacity: 1 });
  const young = await addSession('job_search', paris(5, 14), {
    audience: 'under25',
    place: 'Mission Locale, 6 rue Franciade, Blois',
  });
  return { paperwork, digital, young };
}

/** A person onboarded in French says hello, then 1: the workshops menu. The person. */
async function atWorkshopsMenu() {
  const me = await h.onboard();
  await h.send('bonjour');
  await h.send('1');
  return me;
}

async function events(type: string) {
  return h.db.prisma.caseEvent.findMany({ where: { type }, orderBy: { id: 'asc' } });
}

const texts = (replies: Partial<Activity>[]) => replies.map((r) => r.text ?? '').join('\n');

/**
 * Proactive messages of the 'test' channel into the harness's queue. (The harness's own sender
 * calls TestAdapter.continueConversation, which TestAdapter does not implement: it rejects.)
 */
function deliverInto(harness: Harness) {
  harness.core.notifier.register('test', {
    send: async (target, activities) => {
      const context = new TurnContext(
        harness.adapter,
        TurnContext.applyConversationReference({ type: ActivityTypes.Event }, target.reference, true),
      );
      await context.sendActivities(activities);
      return true;
    },
  });
}

describe('booking in French', () => {
  test(
    'menu 1, then 1: the sessions of my age group with date, place ' +
      'and seats; "deux" books; the confirmation repeats when and where',
    async () => {
      const { paperwork, digital } = await threeSessions();
      const me = await h.onboard();
      await h.send('bonjour');

      const menu = await h.send('1');
      expect(menu).toHaveLength(1);
      expectQuestion(menu[0], [
        'Ateliers : que voulez-vous faire ?',
        '1. Suivre un atelier',
        '2. Mes ateliers',
        ...FR_SEND_A_NUMBER,
      ]);

      const list = await h.send('1');
      expect(list[0].text).toBe(
        [
          'Choisissez un atelier.',
          `1. Papiers et démarches – mardi 3 mars, 9 h 30 – ${PLATFORM} – 12 places libres`,
          `2. Le téléphone et internet pour l'emploi – mercredi 4 mars, 14 h – ${PLATFORM} – 1 place libre`,
          ...FR_SEND_A_NUMBER,
        ].join('\n'),
      );
      expect(list[0].speak).toContain('xml:lang="fr-FR"');
      expect(list[0].suggestedActions?.actions.map((a) => a.value)).toEqual(['1', '2']);

      // Booked, then back to the menu.
      expectSaidThenMenu(
        await h.send('deux'),
        [
          "C'est fait. Votre place est réservée.",
          "Atelier : Le téléphone et internet pour l'emploi.",
          'Jour : mercredi 4 mars.',
          'Heure : 14 h – 16 h.',
          `Lieu : ${PLATFORM}.`,
        ].join('\n'),
      );

      const booking = await h.db.prisma.booking.findFirstOrThrow({ where: { beneficiaryId: me.id } });
      expect(booking).toMatchObject({ sessionId: digital.id, status: 'booked', source: 'chat', waitlistedAt: null });
      expect((await h.db.prisma.workshopSession.findUniqueOrThrow({ where: { id: digital.id } })).bookedCount).toBe(1);
      const [event] = await events('workshop_booked');
      expect(event).toMatchObject({ beneficiaryId: me.id, actorType: 'beneficiary', actorId: String(me.id) });
      expect(event.payload).toMatchObject({
        bookingId: booking.id,
        sessionId: digital.id,
        workshop: 'digital',
        source: 'chat',
      });
      expect(await h.db.prisma.workshopSession.findUniqueOrThrow({ where: { id: paperwork.id } })).toMatchObject({
        bookedCount: 0,
      });
    },
  );

  test('no double booking: a booked session leaves the list, and booking it again changes nothing', async () => {
    const { paperwork, digital } = await threeSessions();
    const me = await atWorkshopsMenu();
    await h.send('1');
    await h.send('papiers'); // the start of a title is enough
    await h.send('1');
    const list = await h.sendText('1');
    expect(list).not.toContain('Papiers et démarches');
    expect(list).toContain("1. Le téléphone et internet pour l'emploi");

    const again = await book(h.db.prisma, me.id, paperwork.id, h.clock.now, {
      actor: { type: 'beneficiary', id: me.id },
    });
    expect(again.status).toBe('already_booked');
    expect(await h.db.prisma.booking.count({ where: { beneficiaryId: me.id } })).toBe(1);
    expect(await h.db.prisma.workshopSession.findUniqueOrThrow({ where: { id: paperwork.id } })).toMatchObject({
      bookedCount: 1,
    });
    expect(await events('workshop_booked')).toHaveLength(1);
    expect(digital.id).toBeGreaterThan(0);
  });

  test('a session that started while the person chose: said, and the list comes again without it', async () => {
    const { paperwork, digital } = await threeSessions();
    const me = await atWorkshopsMenu();
    await h.send('1');
    h.clock.now = paris(3, 9, 45); // Tuesday, 15 minutes after the start of "paperwork"
    const replies = await h.send('1');
    expect(replies[0].text).toBe('Cet atelier a déjà commencé.');
    expect(replies[1].text).toContain("1. Le téléphone et internet pour l'emploi – mercredi 4 mars, 14 h");
    expect(replies[1].text).not.toContain('Papiers');
    expect(await h.db.prisma.booking.count()).toBe(0);

    // and the rule holds whoever books
    expect((await book(h.db.prisma, me.id, paperwork.id, h.clock.now, { actor: { type: 'system' } })).status).toBe(
      'started',
    );
    expect((await book(h.db.prisma, me.id, paperwork.id, paris(4, 8), { actor: { type: 'system' } })).status).toBe(
      'started',
    );
    expect(await h.db.prisma.booking.count()).toBe(0);
    await h.send('1');
    expect(await h.db.prisma.booking.findFirstOrThrow({ where: { beneficiaryId: me.id } })).toMatchObject({
      sessionId: digital.id,
      status: 'booked',
    });
  });

  test('a shift at the same time: a warning, and yes or no', async () => {
    const { paperwork } = await threeSessions();
    const me = await h.onboard();
    const structure = await h.db.prisma.structure.create({ data: { name: "Net'Insertion 41", kind: 'siae' } });
    const placement = await h.db.prisma.placement.create({
      data: {
        beneficiaryId: me.id,
        structureId: structure.id,
        kind: 'sas_iae',
        startDate: paris(1, 0),
        endDate: paris(31, 0),
        status: 'active',
      },
    });
    await h.db.prisma.shift.create({
      data: { placementId: placement.id, beneficiaryId: me.id, startsAt: paris(3, 8), endsAt: paris(3, 12) },
    });
    await h.send('bonjour');
    await h.send('1');
    await h.send('1');

    const warning = await h.send('1');
    expect(warning[0].text).toBe(
      ['Attention : vous travaillez à la même heure.', "Travail : Net'Insertion 41, mardi 3 mars, 8 h – 12 h."].join(
        '\n',
      ),
    );
    expect(warning[1].text).toBe(
      ['Voulez-vous quand même vous inscrire ?', '1. Oui', '2. Non', 'Envoyez un numéro.'].join('\n'),
    );
    expect(await h.sendText('non')).toContain("D'accord. Je ne vous inscris pas.");
    expect(await h.db.prisma.booking.count()).toBe(0);

    await h.send('1');
    await h.send('1');
    await h.send('1');
    expect(await h.sendText('👍')).toContain("C'est fait. Votre place est réservée.");
    expect(await h.db.prisma.booking.findFirstOrThrow({ where: { beneficiaryId: me.id } })).toMatchObject({
      sessionId: paperwork.id,
      status: 'booked',
    });
    // a session at another time: no warning
    await h.send('1');
    await h.send('1');
    expect(await h.sendText('1')).toContain("C'est fait.");
  });

  test('a workshop without a translation shows its French title from the database, in any language', async () => {
    await addSession('sewing', paris(3, 14), { capacity: 2 });
    await h.onboard({ language: 'ar' });
    await h.send('مرحبا');
    await h.send('1');
    // (issue 11: an entry in a right-to-left language is one line per part, its Latin parts isolated)
    expect(await h.sendText('1')).toContain('1. \u2068sewing\u2069\n');
    await h.db.prisma.workshop.update({ where: { code: 'sewing' }, data: { title: 'Couture' } });
    expect(await h.sendText('help')).toContain('1. \u2068Couture\u2069\n');
  });

  test('no session for me: said kindly, then the menu', async () => {
    await addSession('paperwork', paris(3, 9, 30), { audience: 'under25' });
    await atWorkshopsMenu();
    expectSaidThenMenu(
      await h.send('1'),
      ["Pour le moment, il n'y a pas d'atelier pour vous.", 'Revenez bientôt : il y aura de nouveaux ateliers.'].join(
        '\n',
      ),
    );
  });

  test('mistakes: the question again, then after three misses the way out; 0 goes back to the menu', async () => {
    await threeSessions();
    await atWorkshopsMenu();
    expectAskedAgain(await h.send('banane'), '1. Suivre un atelier');
    await h.send('1');
    expectAskedAgain(await h.send('7'), '1. Papiers et démarches');
    await h.send('le chat');
    const wayOut = await h.sendText('???');
    expect(wayOut).toContain('Je ne comprends pas. Que voulez-vous faire ?');
    expect(wayOut).toContain('2. Mon conseiller');
    expect(await h.db.prisma.booking.count()).toBe(0);

    await h.send('1'); // back to the menu
    await h.send('1');
    await h.send('1');
    expect(await h.sendText('0')).toContain('Que voulez-vous faire ?\n1. Ateliers');
  });
});

describe('year of birth', () => {
  test('Dari: asked once when unknown, answered in Persian digits (solar year), saved; booking with ۲', async () => {
    const { digital } = await threeSessions();
    const me = await h.onboard({ birthYear: null, language: 'fa' });
    await h.send('سلام');
    expect(await h.sendText('۱')).toContain('ورکشاپ‌ها: چه می‌خواهید بکنید؟\n1. ثبت نام در ورکشاپ');

    const question = await h.send('۱');
    expectQuestion(question[0], [
      'بعضی ورکشاپ‌ها برای افراد زیر 25 سال است.',
      'سال تولد شما چند است؟',
      'سال را بنویسید. مثال: 1374 یا 1995.',
    ]);

    const miss = await h.send('نمی‌دانم');
    expect(miss[0].text).toBe('نفهمیدم.');
    expect(miss[1].text).toContain('سال تولد شما چند است؟');

    const saved = await h.send('۱۳۷۴');
    // issue 11: the solar year as written, the Gregorian one isolated
    expect(saved[0].text).toBe('تشکر. سال تولد: ۱۳۷۴ (\u20681995\u2069).');
    expect(saved[1].text).toContain('یک ورکشاپ را انتخاب کنید.');
    expect(saved[1].text).toContain('1. اسناد و کارهای اداری');
    expect(saved[1].text).toContain('2. تلیفون و انترنت برای کار');
    expect(saved[1].text).toContain('\u20681\u2069 جای خالی');
    expect(saved[1].speak).toContain('xml:lang="fa-AF"');
    expect(await h.db.prisma.beneficiary.findUniqueOrThrow({ where: { id: me.id } })).toMatchObject({
      birthYear: 1995,
    });
    expect((await events('profile_updated')).map((e) => e.payload)).toEqual([{ birthYear: 1995 }]);

    const done = await h.send('۲');
    expect(done[0].text?.split('\n')[0]).toBe('انجام شد. جای شما گرفته شد.');
    expect(done[0].text).toContain('ورکشاپ: تلیفون و انترنت برای کار.');
    expect(done.every((r) => r.locale === 'fa')).toBe(true);
    expect(await h.db.prisma.booking.findFirstOrThrow({ where: { beneficiaryId: me.id } })).toMatchObject({
      sessionId: digital.id,
      status: 'booked',
    });
    expect(await events('workshop_booked')).toHaveLength(1);

    // known now: not asked again
    await h.send('۱');
    expect(await h.sendText('۱')).toContain('1. اسناد و کارهای اداری');
  });

  test('French: a year out of range is not taken; three misses end with the way out, nothing saved', async () => {
    await threeSessions();
    const me = await h.onboard({ birthYear: null });
    await h.send('bonjour');
    await h.send('1');
    expect(await h.sendText('1')).toContain('Quelle est votre année de naissance ?');
    expect(await h.sendText('1850')).toContain("Je n'ai pas compris.");
    expect(await h.sendText('2')).toContain("Je n'ai pas compris.");
    expect(await h.sendText('je sais pas')).toContain('Je ne comprends pas. Que voulez-vous faire ?');
    expect(await h.db.prisma.beneficiary.findUniqueOrThrow({ where: { id: me.id } })).toMatchObject({
      birthYear: null,
    });
    expect(await events('profile_updated')).toHaveLength(0);
  });

  test.each([
    ['1995', 'fr', 1995],
    ['je suis né en 1995', 'fr', 1995],
    ['٢٠٠٠', 'ar', 2000],
    ['95', 'fr', 1995],
    ['mille neuf cent quatre-vingt-quinze', 'fr', 1995],
    ['nineteen ninety-five', 'en', 1995],
    ['۱۳۷۴', 'fa', 1995],
    ['1374', 'ps', 1995],
    ['1374', 'fr', undefined],
    ['deux', 'fr', undefined],
    ['2020', 'fr', undefined],
    ['1939', 'fr', undefined],
    ['1990 ou 1991', 'fr', undefined],
  ] as const)('"%s" (%s) is the year %s', (text, locale, year) => {
    expect(parseBirthYear(text, locale, NOW)).toBe(year);
  });
});

describe('age groups and pages (demo workshops)', () => {
  beforeEach(async () => {
    await seedDemoData(h.db.prisma, { now: NOW });
  });

  test('under 25: only the Mission Locale sessions, all on one page', async () => {
    await h.onboard({ birthYear: 2004 });
    await h.send('bonjour');
    await h.send('1');
    const list = (await h.send('1'))[0];
    const options = list.text!.split('\n').filter((l) => /^\d\. /.test(l));
    expect(options).toHaveLength(5);
    expect(options.every((l) => l.includes('Mission Locale, 6 rue Franciade, Blois – 8 places libres'))).toBe(true);
    expect(list.text).not.toContain('Autres ateliers');
  });

  test('25 and over, in English: only the others, 5 a page with "more", titles translated, "two" books', async () => {
    const me = await h.onboard({ birthYear: 1990, language: 'en' });
    await h.send('hello');
    expect(await h.sendText('1')).toContain('Workshops: what do you want to do?\n1. Join a workshop\n2. My workshops');
    const first = (await h.send('1'))[0].text!;
    const lines = first.split('\n').filter((l) => /^\d\. /.test(l));
    expect(lines).toHaveLength(6);
    expect(lines[5]).toBe('6. See more workshops');
    expect(lines.slice(0, 5).every((l) => !l.includes('Mission Locale') && l.endsWith('12 places left'))).toBe(true);
    expect(first).toContain('Phone and internet for work');
    expect(first).not.toContain('Le téléphone');

    const second = (await h.send('more'))[0].text!;
    const secondLines = second.split('\n').filter((l) => /^\d\. /.test(l));
    expect(secondLines).toHaveLength(6);
    expect(secondLines.slice(0, 5).some((l) => lines.includes(l))).toBe(false);
    const third = (await h.send('6'))[0].text!;
    expect(third.split('\n').filter((l) => /^\d\. /.test(l))).toHaveLength(2); // 12 sessions: 5 + 5 + 2
    expect(third).not.toContain('See more');

    const done = await h.sendText('two');
    expect(done).toContain('Done. Your place is booked.');
    // the second of the last page is the 12th session, soonest first
    const over25 = await h.db.prisma.workshopSession.findMany({
      where: { audience: 'over25' },
      orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    });
    expect(await h.db.prisma.booking.findFirstOrThrow({ where: { beneficiaryId: me.id } })).toMatchObject({
      sessionId: over25[11].id,
      status: 'booked',
    });
  });
});

describe('waiting list and cancelling', () => {
  test('Arabic: a full session offers the waiting list; yes puts me on it, with my place in line', async () => {
    const { digital } = await threeSessions();
    const first = await h.db.prisma.beneficiary.create({
      data: { firstName: 'Omar', birthYear: 1985, status: 'active' },
    });
    expect((await book(h.db.prisma, first.id, digital.id, NOW, { actor: { type: 'system' } })).status).toBe('booked');
    const me = await h.onboard({ language: 'ar' });
    await h.send('مرحبا');
    expect(await h.sendText('١')).toContain('الورشات: ماذا تريد أن تفعل؟');
    const list = await h.sendText('١');
    expect(list).toContain('2. الهاتف والإنترنت للعمل');
    expect(list).toContain('ممتلئة: قائمة الانتظار');
    expect(list).toContain('\u206812\u2069 مكانا متاحا'); // issue 11: numbers isolated in right-to-left text

    const full = await h.send('٢');
    expect(full[0].text).toBe('هذه الورشة ممتلئة.');
    expect(full[1].text).toBe(['هل تريد أن تكون في قائمة الانتظار؟', '1. نعم', '2. لا', 'أرسل رقما.'].join('\n'));
    const waiting = await h.send('نعم');
    expect(waiting[0].text).toBe(
      ['أنت في قائمة الانتظار.', 'رقمك في القائمة: 1.', 'إذا صار مكان متاحا، سأرسل لك رسالة.'].join('\n'),
    );
    expect(waiting.every((r) => r.locale === 'ar')).toBe(true);

    const row = await h.db.prisma.booking.findFirstOrThrow({ where: { beneficiaryId: me.id } });
    expect(row).toMatchObject({ sessionId: digital.id, status: 'waitlisted' });
    expect(row.waitlistedAt).toEqual(NOW);
    expect(await h.db.prisma.workshopSession.findUniqueOrThrow({ where: { id: digital.id } })).toMatchObject({
      bookedCount: 1,
    });
    const [event] = await events('workshop_waitlisted');
    expect(event).toMatchObject({ beneficiaryId: me.id });
    expect(event.payload).toMatchObject({ bookingId: row.id, sessionId: digital.id });

    // "My workshops" shows it as a waiting-list place
    await h.send('١');
    const mine = (await h.sendText('٢')).split('\n');
    expect(mine[0]).toBe('ورشاتك:');
    // issue 11: title, day and time, place, status, each on its own line
    expect(mine[1]).toBe('1. الهاتف والإنترنت للعمل');
    expect(mine[4]).toBe('قائمة الانتظار');
  });

  test('full, and no thanks: nothing booked', async () => {
    const { digital } = await threeSessions();
    const other = await h.db.prisma.beneficiary.create({
      data: { firstName: 'Omar', birthYear: 1985, status: 'active' },
    });
    await book(h.db.prisma, other.id, digital.id, NOW, { actor: { type: 'system' } });
    await atWorkshopsMenu();
    await h.send('1');
    expect(await h.sendText('2')).toContain("Voulez-vous être sur la liste d'attente ?");
    expect(await h.sendText('non merci')).toContain("D'accord. Je ne vous inscris pas.");
    expect(await h.db.prisma.booking.count()).toBe(1);
  });

  test('cancelling frees the seat for the first person waiting, who is told at once in their language', async () => {
    const { digital } = await threeSessions();
    const me = await h.onboard();
    deliverInto(h);
    // Two people wait, each in their own conversation; the first has chatted before (so we can reach them).
    const firstInLine = await createHarness(tmp.url, {
      user: 'user-2',
      conversation: 'conversation-2',
      db: h.db,
      now: new Date(NOW),
    });
    const second = await createHarness(tmp.url, {
      user: 'user-3',
      conversation: 'conversation-3',
      db: h.db,
      now: new Date(NOW),
    });
    const waiting = await firstInLine.onboard({ language: 'ar', firstName: 'Layla' });
    const later = await second.onboard({ firstName: 'Sami' });
    await firstInLine.send('مرحبا');
    expect((await book(h.db.prisma, me.id, digital.id, NOW, { actor: { type: 'system' } })).status).toBe('booked');
    expect(
      await book(h.db.prisma, waiting.id, digital.id, NOW, { actor: { type: 'system' }, waitlistIfFull: true }),
    ).toMatchObject({ status: 'waitlisted', position: 1 });
    expect(
      await book(h.db.prisma, later.id, digital.id, new Date(NOW.getTime() + 1000), {
        actor: { type: 'system' },
        waitlistIfFull: true,
      }),
    ).toMatchObject({ status: 'waitlisted', position: 2 });

    await h.send('bonjour');
    await h.send('1');
    const mine = await h.send('2');
    expect(mine[0].text).toBe(
      [
        'Vos ateliers :',
        `1. Le téléphone et internet pour l'emploi – mercredi 4 mars, 14 h – ${PLATFORM} – place réservée`,
        "Pour annuler, envoyez le numéro de l'atelier.",
        '0 = menu',
      ].join('\n'),
    );
    const confirm = await h.send('1');
    expect(confirm[0].text).toBe(
      [
        `Le téléphone et internet pour l'emploi – mercredi 4 mars, 14 h – ${PLATFORM} – place réservée`,
        'Voulez-vous annuler cet atelier ?',
        '1. Oui',
        '2. Non',
        'Envoyez un numéro.',
      ].join('\n'),
    );

    const replies = await h.send('oui');
    const mineReplies = replies.filter((r) => r.conversation?.id !== 'conversation-2');
    expect(mineReplies[0].text).toBe("C'est fait. L'atelier est annulé pour vous.");
    expect(texts(mineReplies)).toContain('Que voulez-vous faire ?');
    // the first person in line is told, in Arabic, in their own conversation
    const told = replies.filter((r) => r.conversation?.id === 'conversation-2');
    expect(told).toHaveLength(1);
    const [news, what, when, where] = told[0].text!.split('\n');
    expect([news, what, where]).toEqual([
      'خبر جيد: يوجد مكان لك!',
      'الورشة: الهاتف والإنترنت للعمل.',
      `المكان: ${PLATFORM}.`,
    ]);
    expect(when).toMatch(/^الموعد: .*4 مارس/);

    // the database: my booking cancelled, theirs booked, the seat count unchanged, the events, the notice sent
    expect(await h.db.prisma.booking.findFirstOrThrow({ where: { beneficiaryId: me.id } })).toMatchObject({
      status: 'cancelled',
      cancelledAt: NOW,
    });
    expect(await h.db.prisma.booking.findFirstOrThrow({ where: { beneficiaryId: waiting.id } })).toMatchObject({
      status: 'booked',
      waitlistedAt: null,
    });
    expect(await h.db.prisma.booking.findFirstOrThrow({ where: { beneficiaryId: later.id } })).toMatchObject({
      status: 'waitlisted',
    });
    expect(await h.db.prisma.workshopSession.findUniqueOrThrow({ where: { id: digital.id } })).toMatchObject({
      bookedCount: 1,
    });
    const [cancelled] = await events('workshop_cancelled');
    expect(cancelled).toMatchObject({ beneficiaryId: me.id, actorType: 'beneficiary' });
    expect(cancelled.payload).toMatchObject({ sessionId: digital.id, was: 'booked' });
    const [promoted] = await events('waitlist_promoted');
    expect(promoted).toMatchObject({ beneficiaryId: waiting.id, actorType: 'system' });
    const notice = await h.db.prisma.message.findFirstOrThrow({
      where: { beneficiaryId: waiting.id, kind: 'notification' },
    });
    expect(notice).toMatchObject({ status: 'sent', channel: 'test', conversationId: 'conversation-2' });

    // Layla's next visit: nothing waits any more, and the workshop is in her list
    expect(texts(await firstInLine.send('١'))).not.toContain('خبر جيد');
    expect(await firstInLine.sendText('٢')).toContain('1. الهاتف والإنترنت للعمل\n');
    // She cancels in turn: Sami gets the seat, but has never chatted with us, so he is told when he comes.
    await firstInLine.send('١');
    const hers = await firstInLine.send('نعم');
    expect(hers[0].text).toBe('تم. ألغيت الورشة لك.');
    expect(hers.some((r) => r.conversation?.id !== 'conversation-2')).toBe(false);
    expect(await h.db.prisma.booking.findFirstOrThrow({ where: { beneficiaryId: later.id } })).toMatchObject({
      status: 'booked',
    });
    expect(
      await h.db.prisma.message.findFirstOrThrow({ where: { beneficiaryId: later.id, kind: 'notification' } }),
    ).toMatchObject({ status: 'queued' });
    deliverInto(second);
    const greeting = await second.send('bonjour');
    expect(greeting[0].text).toBe(
      [
        'Bonne nouvelle : une place est libre pour vous !',
        "Atelier : Le téléphone et internet pour l'emploi.",
        'Date : mercredi 4 mars, 14 h.',
        `Lieu : ${PLATFORM}.`,
      ].join('\n'),
    );
    expect(
      await h.db.prisma.message.findFirstOrThrow({ where: { beneficiaryId: later.id, kind: 'notification' } }),
    ).toMatchObject({ status: 'sent', conversationId: 'conversation-3' });
    expect(await events('waitlist_promoted')).toHaveLength(2);
    expect(await h.db.prisma.workshopSession.findUniqueOrThrow({ where: { id: digital.id } })).toMatchObject({
      bookedCount: 1,
    });
  });

  test('keeping the booking: "non" changes nothing; a cancelled one cannot be cancelled twice', async () => {
    const { paperwork } = await threeSessions();
    const me = await h.onboard();
    await book(h.db.prisma, me.id, paperwork.id, NOW, { actor: { type: 'system' } });
    await h.send('bonjour');
    await h.send('1');
    await h.send('2');
    await h.send('1');
    expect(await h.sendText('2')).toContain("D'accord. Vous gardez votre place.");
    expect(await h.db.prisma.booking.findFirstOrThrow({ where: { beneficiaryId: me.id } })).toMatchObject({
      status: 'booked',
    });
    expect(await events('workshop_cancelled')).toHaveLength(0);

    await h.send('1');
    await h.send('2');
    await h.send('1');
    // cancelled meanwhile (another tab, the CIP): the person is told, nothing changes twice
    const row = await h.db.prisma.booking.findFirstOrThrow({ where: { beneficiaryId: me.id } });
    await h.db.prisma.booking.update({ where: { id: row.id }, data: { status: 'cancelled' } });
    expect(await h.sendText('oui')).toContain('Cette inscription est déjà annulée.');
    expect(await events('workshop_cancelled')).toHaveLength(0);
  });

  test('My workshops when there is none', async () => {
    await atWorkshopsMenu();
    expectSaidThenMenu(await h.send('2'), "Vous n'avez pas d'atelier prévu.");
  });
});
