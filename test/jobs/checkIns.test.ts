// The daily check-ins of people in an immersion, on WhatsApp (a fake Graph API) with an injected
// clock: who is asked (exactly the people in an immersion that day, not opted out), in their
// language, once however often the job runs; the answers (good, difficult with what happened and
// a problem report, "I need help" as an alert); no answer by the next morning, twice in a row;
// the quiet hours; and two runners at once on one PostgreSQL database.
import { openDatabase } from '../../bot/db/client';
import { translator } from '../../bot/i18n/translator';
import type { LanguageCode } from '../../bot/i18n/languages';
import { closeCheckIns, sendCheckIns } from '../../bot/services/checkIns';
import { createTempPostgres } from '../support/postgres';
import { signedIn } from '../support/cipApi';
import {
  marchDay as date,
  paris,
  startProactiveApp,
  TZ,
  type ProactiveApp,
  type TestPerson,
} from '../support/proactiveApp';
import { textOf, type WhatsAppTestApp } from '../support/whatsappApp';
import { templateButton, text } from '../support/whatsappWebhooks';

let app: ProactiveApp;
let h: WhatsAppTestApp;
let clock: { now: Date };
afterEach(async () => {
  await app?.close();
});

async function start(env: Record<string, string> = {}) {
  app = await startProactiveApp(env);
  ({ h, clock } = app);
  const company = await h.app.db.prisma.structure.create({
    data: { name: 'La Table du Château', kind: 'company', city: 'Blois' },
  });
  const siae = await h.app.db.prisma.structure.create({
    data: { name: 'Les Jardins', kind: 'siae', capacity: 2, city: 'Blois' },
  });
  return { company, siae };
}

/** A person on WhatsApp with a placement. */
async function person(
  language: LanguageCode,
  placement: { structureId: number; kind?: string; from: number; to: number },
  options: { wrote?: boolean; optedOut?: boolean; status?: string } = {},
): Promise<TestPerson> {
  const p = await app.person(language, options);
  await app.placement(p, placement);
  return p;
}

/** An immersion there from Monday 2 to Friday 6 March (the week of the tests). */
const thisWeekAt = (structure: { id: number }) => ({ structureId: structure.id, from: 2, to: 6 });

const drained = () => app.drained();
const say = (p: TestPerson, body: object) => app.say(p, body);
const run = (job: string) => app.run(job);

test(
  '17:00: exactly the people in an immersion that day, each in their language (text in the window, the ' +
    'template outside it), once however often it runs',
  async () => {
    const { company, siae } = await start();
    const inWindow = await person('ar', thisWeekAt(company), { wrote: true });
    const neverWrote = await person('fa', { structureId: company.id, from: 3, to: 3 });
    const ended = await person('uk', { structureId: company.id, from: 1, to: 2 }, { wrote: true });
    const notYet = await person('en', { structureId: company.id, from: 4, to: 6 }, { wrote: true });
    const sasIae = await person('ru', { structureId: siae.id, kind: 'sas_iae', from: 1, to: 20 }, { wrote: true });
    const optedOut = await person('fr', thisWeekAt(company), { wrote: true, optedOut: true });
    const archived = await person('ti', thisWeekAt(company), { wrote: true, status: 'archived' });

    expect(await run('checkins')).toMatchObject({ day: '2026-03-03', asked: 2, already: 0 });
    await drained();
    const [toArabic] = h.graph.sentTo(inWindow.waId);
    const ar = translator('ar');
    expect(textOf(toArabic).split('\n')).toEqual([
      ar('checkins.question', { structure: 'La Table du Château' }),
      '1. جيد',
      '2. صعب',
      '3. أحتاج مساعدة',
      ar('prompt.hint'),
    ]);
    const [toDari] = h.graph.sentTo(neverWrote.waId);
    expect(toDari.body.template).toMatchObject({ name: 'passerelle_checkin', language: { code: 'prs_AF' } });
    for (const p of [ended, notYet, sasIae, optedOut, archived]) expect(h.graph.sentTo(p.waId)).toEqual([]);

    // Again (a second run, a restart): nobody is asked twice.
    expect(await run('checkins')).toMatchObject({ asked: 0, already: 2 });
    await drained();
    expect(h.graph.sent).toHaveLength(2);
    const rows = await h.app.db.prisma.checkIn.findMany({ orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.beneficiaryId, r.day, r.status])).toEqual([
      [inWindow.id, '2026-03-03', 'sent'],
      [neverWrote.id, '2026-03-03', 'sent'],
    ]);
  },
);

test(
  'the answers: "1" thanks; "3" is an alert the CIP sees at once; "2" asks what happened, keeps it, offers to ' +
    'report a problem',
  async () => {
    const { company } = await start();
    // Three people in an immersion this week, each to give one of the three answers.
    const [good, help, hard] = [
      await person('en', thisWeekAt(company), { wrote: true }),
      await person('ar', thisWeekAt(company), { wrote: true }),
      await person('fa', thisWeekAt(company)),
    ];
    await run('checkins');
    await drained();
    clock.now = paris(3, 18, 30);

    expect(await say(good, text(good, '1'))).toContain(translator('en')('checkins.thanks'));
    expect(await say(help, text(help, '٣'))).toContain(translator('ar')('checkins.helpComing'));
    // The Dari speaker taps the template's second button, then writes what happened.
    const fa = translator('fa');
    const asked = await say(hard, templateButton(hard, '2', 'سخت'));
    expect(asked).toContain(fa('checkins.whatHappened'));
    const offered = await say(hard, text(hard, 'Le chef a crié sur moi'));
    expect(offered).toContain(fa('checkins.noted'));
    expect(offered).toContain(fa('checkins.reportQuestion'));
    expect(await say(hard, text(hard, '1'))).toContain(fa('problem.category.question'));

    const byPerson = Object.fromEntries((await h.app.db.prisma.checkIn.findMany()).map((c) => [c.beneficiaryId, c]));
    expect(byPerson[good.id]).toMatchObject({ status: 'good', note: null });
    expect(byPerson[help.id]).toMatchObject({ status: 'needs_help' });
    expect(byPerson[hard.id]).toMatchObject({ status: 'difficult', note: 'Le chef a crié sur moi' });
    expect(byPerson[good.id].answeredAt).toEqual(paris(3, 18, 30));

    const coordinator = await signedIn(h.app, 'coordinator');
    const alerts = (await coordinator.call('GET', '/api/cip/alerts')).body;
    const checkInAlerts = alerts.items.filter((a: { type: string }) => a.type === 'checkin_answered');
    expect(
      checkInAlerts.map((a: { beneficiaryId: number; payload: { answer: string } }) => [
        a.beneficiaryId,
        a.payload.answer,
      ]),
    ).toEqual([[help.id, 'needs_help']]);
    // An answer counts once: "3" again is not a second alert.
    await say(help, text(help, '3'));
    expect(await h.app.db.prisma.caseEvent.count({ where: { type: 'checkin_answered', beneficiaryId: help.id } })).toBe(
      1,
    );
  },
);

test(
  'no answer by the next morning: no_reply, a late "1" is not taken for it; two in a row is one alert, a third ' +
    'no new one',
  async () => {
    const { company } = await start();
    const quiet = await person('ru', thisWeekAt(company), { wrote: true });
    const days: [number, string][] = [];
    for (const day of [3, 4, 5]) {
      clock.now = paris(day, 17);
      await run('checkins');
      await drained();
      clock.now = paris(day + 1, 8, 1);
      days.push([day, JSON.stringify(await run('checkins-close'))]);
      if (day === 3) {
        // Written at 9:00, the day after: not an answer to yesterday's question.
        clock.now = paris(4, 9);
        await say(quiet, text(quiet, '1'));
      }
    }
    expect(days.map(([, r]) => JSON.parse(r))).toEqual([
      { closed: 1, alerts: 0 },
      { closed: 1, alerts: 1 },
      { closed: 1, alerts: 0 },
    ]);
    const rows = await h.app.db.prisma.checkIn.findMany({ orderBy: { day: 'asc' } });
    expect(rows.map((r) => [r.day, r.status])).toEqual([
      ['2026-03-03', 'no_reply'],
      ['2026-03-04', 'no_reply'],
      ['2026-03-05', 'no_reply'],
    ]);
    const alerts = await h.app.db.prisma.caseEvent.findMany({ where: { type: 'checkin_no_reply' } });
    expect(alerts.map((a) => [a.beneficiaryId, a.attention, a.payload])).toEqual([
      [quiet.id, true, { placementId: rows[0].placementId, days: ['2026-03-03', '2026-03-04'] }],
    ]);
    // Three questions went out: as text while the window was open, as the template after (the last
    // words were on the 4th, 9:00).
    const asked = h.graph
      .sentTo(quiet.waId)
      .filter(
        (m) =>
          textOf(m).startsWith(translator('ru')('checkins.question', { structure: 'La Table du Château' })) ||
          textOf(m) === '[template passerelle_checkin]',
      );
    expect(asked.map((m) => m.body.type)).toEqual(['interactive', 'interactive', 'template']);
  },
);

test(
  'quiet hours: a check-in queued in the evening waits; one that could only go out after the answers are over ' +
    'is not asked',
  async () => {
    const { company } = await start({ QUIET_HOURS: '20:00-08:00' });
    const p = await person('uk', thisWeekAt(company), { wrote: true });
    clock.now = paris(3, 19, 59);
    expect(await run('checkins')).toMatchObject({ asked: 1 });
    await drained();
    expect(h.graph.sentTo(p.waId)).toHaveLength(1);

    clock.now = paris(4, 21);
    expect(await run('checkins')).toMatchObject({ day: '2026-03-04', asked: 0, tooLate: 1 });
    await new Promise((r) => setTimeout(r, 300));
    expect(h.graph.sentTo(p.waId)).toHaveLength(1);
    expect(await h.app.db.prisma.checkIn.count({ where: { day: '2026-03-04' } })).toBe(0);
  },
);

const pg = process.env.PASSERELLE_TEST_PG === '1' ? test : test.skip;

pg(
  'two runners at once on one PostgreSQL database: each person asked once a day, each check-in closed once',
  async () => {
    const tmp = await createTempPostgres();
    const [one, two] = [await openDatabase(tmp.url), await openDatabase(tmp.url)];
    try {
      const structure = await one.prisma.structure.create({ data: { name: 'Ferme', kind: 'company' } });
      for (let i = 0; i < 30; i++) {
        const b = await one.prisma.beneficiary.create({
          data: {
            firstName: `R${i}`,
            phone: `+33710000${String(i).padStart(3, '0')}`,
            status: 'active',
            consentAt: new Date(),
            language: 'fr',
          },
        });
        await one.prisma.placement.create({
          data: {
            beneficiaryId: b.id,
            structureId: structure.id,
            kind: 'immersion',
            startDate: date(2),
            endDate: date(6),
            status: 'active',
          },
        });
      }
      const options = { timeZone: TZ };
      for (const day of [3, 4]) {
        const at = paris(day, 17);
        const runs = await Promise.all([
          sendCheckIns(one, at, options),
          sendCheckIns(two, at, options),
          sendCheckIns(one, at, options),
          sendCheckIns(two, at, options),
        ]);
        expect(runs.reduce((n, r) => n + r.asked, 0)).toBe(30);
        expect(runs.reduce((n, r) => n + r.already, 0)).toBe(90);
        // Nobody answers; the messages "went out".
        await one.prisma.message.updateMany({ where: { kind: 'checkin' }, data: { status: 'sent', sentAt: at } });
        const closing = await Promise.all([
          closeCheckIns(one, paris(day + 1, 8, 1)),
          closeCheckIns(two, paris(day + 1, 8, 1)),
        ]);
        expect(closing.reduce((n, r) => n + r.closed, 0)).toBe(30);
        expect(closing.reduce((n, r) => n + r.alerts, 0)).toBe(day === 3 ? 0 : 30);
      }
      expect(await one.prisma.checkIn.count()).toBe(60);
      expect(await one.prisma.message.count({ where: { kind: 'checkin' } })).toBe(60);
      expect(await one.prisma.proactiveQuestion.count({ where: { kind: 'checkin', answer: 'no_reply' } })).toBe(60);
      expect(await one.prisma.caseEvent.count({ where: { type: 'checkin_no_reply' } })).toBe(30);
    } finally {
      await one.close();
      await two.close();
      await tmp.drop();
    }
  },
);
