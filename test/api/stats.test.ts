// GET /api/cip/stats on SQLite and PostgreSQL, on the fixed data set of test/support/statsFixture.ts
// (2025). Every expected figure is worked out by hand below from that data set; the comments say how.
// Also: a CIP sees only the people they follow (and may not ask for another CIP's), a structure
// filter, each read audited, a period that ends before it starts (400, in French by default).
import { appForTests, staffForTests } from '../support/app';
import { request } from '../support/cipApi';
import { testDatabases } from '../support/databases';
import { loadStatsFixture, type StatsFixture } from '../support/statsFixture';

/** A breakdown of the caseload as the API answers it, in key order: key -> [active, new, exited]. */
const caseloadRows = (rows: Record<string, [number, number, number]>) =>
  Object.entries(rows).map(([key, [active, entered, exited]]) => ({ key, active, new: entered, exited }));

describe.each(testDatabases())('statistics on $name', (kind) => {
  const testApp = appForTests({ DEMO_DATA: 'off' }, {}, kind);
  const [cipA, cipB, coordinator] = staffForTests(testApp, 'cip', 'cip', 'coordinator');
  let fx: StatsFixture;
  beforeAll(async () => (fx = await loadStatsFixture(testApp().db.prisma, cipA.id, cipB.id, new Date())), 60_000);

  const YEAR = '/api/cip/stats?from=2025-01-01&to=2025-12-31';

  test('everyone (a coordinator), 2025: every figure as worked out by hand', async () => {
    const res = await coordinator.call('GET', YEAR);
    expect(res.status).toBe(200);
    const s = res.body;
    expect(s.period).toEqual({ from: '2025-01-01', to: '2025-12-31', days: 365 });

    // Caseload. new: entered in 2025 (p2 p3 p4 p5 p7); exited in 2025 (p1 p2 p3 p5); active at the
    // end of 2025: p4, p6 (p7 is archived, p8 entered in 2026).
    expect(s.caseload.total).toEqual({ active: 2, new: 5, exited: 4 });
    expect(s.caseload.byStage).toEqual(
      caseloadRows({ diagnostic: [0, 1, 0], exited: [0, 3, 4], sas_iae: [1, 1, 0], siae: [1, 0, 0] }),
    );
    expect(s.caseload.byLanguage).toEqual(
      caseloadRows({ ar: [0, 2, 2], fa: [1, 1, 0], fr: [1, 0, 1], ps: [0, 1, 1], uk: [0, 1, 0] }),
    );
    // Ages in 2025: p1 22, p5 24 (under 25); p2 35, p6 40, p7 30 (25-44); p3 50; p4 unknown.
    expect(s.caseload.byAgeGroup).toEqual(
      caseloadRows({ '25_44': [1, 2, 1], '45_plus': [0, 1, 1], under25: [0, 1, 2], unknown: [1, 1, 0] }),
    );
    expect(s.caseload.byProtectionStatus).toEqual(
      caseloadRows({ refugee: [1, 3, 3], subsidiary: [0, 1, 1], unknown: [1, 1, 0] }),
    );

    // Exits: one of each category; sorties dynamiques 3 of 4.
    expect(s.exits).toEqual({
      total: 4,
      byOutcome: { durable: 1, transition: 1, positive: 1, other: 1 },
      byDetail: { cdi: 1, cdd_short: 1, training: 1, looking: 1 },
      dynamic: 3,
      dynamicRate: 0.75,
    });

    // Days to the first placement, for the first placements starting in 2025: p2 2 (1 to 3 Feb; its
    // cancelled sas IAE does not count), p3 9, p4 32, p5 19, p6 457 (1 June 2024 to 1 Sept 2025):
    // median 19. Days to exit: p1 120, p2 130, p3 198, p5 90: median (120 + 130) / 2 = 125.
    expect(s.durations).toEqual({
      daysToFirstPlacement: { median: 19, count: 5 },
      daysToExit: { median: 125, count: 4 },
    });

    // sas IAE in 2025: p3 (Recyclerie, 83 days), p4 (Jardins, 121 days), p6 (Jardins from 1 Nov,
    // 120 days planned); on 31 Dec: p6. Average length 324 / 3 = 108 days, over 4 x 30.4375.
    // Jardins: 121 + 61 seat-days of 2 x 365; Recyclerie (capacity not set: 2): 83 of 730.
    expect(s.sasIae).toEqual({
      people: 3,
      peopleAtEnd: 1,
      averageDays: 108,
      longestDays: 121,
      limitMonths: 4,
      averageShareOfLimit: 0.8871,
      occupancy: [
        {
          structureId: fx.structures.jardins,
          name: 'Jardins de Cocagne',
          capacity: 2,
          seatDays: 182,
          peopleAtEnd: 1,
          rate: 0.2493,
        },
        {
          structureId: fx.structures.recyclerie,
          name: 'Recyclerie',
          capacity: 2,
          seatDays: 83,
          peopleAtEnd: 0,
          rate: 0.1137,
        },
      ],
    });

    // Workshops: 3 sessions in 2025, one cancelled, two held. Seats on the sessions not cancelled:
    // 5 March p2 p3 p6, 20 June p1 p5 p4 = 6; attended p2 p6 p1, no-show p3: 3/4 and 1/4; waiting:
    // p4 (5 March), p7 (20 June). Under 25 among the 5 seats of known age: p1, p5.
    expect(s.workshops).toEqual({
      sessionsScheduled: 3,
      sessionsHeld: 2,
      sessionsCancelled: 1,
      seatsBooked: 6,
      attended: 3,
      noShow: 1,
      attendanceRate: 0.75,
      noShowRate: 0.25,
      waitlisted: 2,
      sessionsWithWaitlist: 2,
      under25Share: 0.4,
    });

    // Check-ins of 2025's days: p4's five (good, difficult, needs_help, no_reply, sent), p6's 31 Dec.
    expect(s.immersions).toEqual({ checkInsSent: 6, answered: 4, answerRate: 0.6667, difficult: 1, needHelp: 1 });

    // Blockers: housing reported 3 in 2025, 2 resolved in 2025 in 10 and 4 days (median 7); papers
    // 2 reported, 1 open since April, 1 resolved in 20 days; transport open since Dec 2024; health
    // open for 2 days. All resolved in 2025: 10, 4, 20: median 10.
    expect(s.blockers).toEqual({
      reported: 5,
      open: 3,
      resolved: 3,
      openOver14Days: 2,
      medianDaysToResolve: 10,
      byCategory: [
        { category: 'health', reported: 0, open: 1, resolved: 0, medianDaysToResolve: null, openOver14Days: 0 },
        { category: 'housing', reported: 3, open: 0, resolved: 2, medianDaysToResolve: 7, openOver14Days: 0 },
        { category: 'papers', reported: 2, open: 1, resolved: 1, medianDaysToResolve: 20, openOver14Days: 1 },
        { category: 'transport', reported: 0, open: 1, resolved: 0, medianDaysToResolve: null, openOver14Days: 1 },
      ],
    });

    // POEC cohorts: AFPA ending 28 Feb (p1 hired 11 days after; p2's work-study starts 107 days
    // after: too late; p5 went to training): 1 of 3. AFPA ending 31 Oct: p6's work-study 66 days after.
    expect(s.poec).toEqual({
      hiredWithinDays: 92,
      people: 4,
      hired: 2,
      rate: 0.5,
      cohorts: [
        {
          structureId: fx.structures.afpa,
          name: 'AFPA',
          endDate: '2025-02-28',
          people: 3,
          hired: 1,
          rate: 0.3333,
          complete: true,
        },
        {
          structureId: fx.structures.afpa,
          name: 'AFPA',
          endDate: '2025-10-31',
          people: 1,
          hired: 1,
          rate: 1,
          complete: true,
        },
      ],
    });

    // Reached in 2025: p1 (WhatsApp and web chat), p2 (WhatsApp), p5 (web chat); p3's message failed,
    // p6's was in 2024.
    expect(s.reach).toEqual({
      people: 3,
      byChannel: [
        { key: 'webchat', people: 2 },
        { key: 'whatsapp', people: 2 },
      ],
      byLanguage: [
        { key: 'ar', people: 1 },
        { key: 'fr', people: 1 },
        { key: 'ps', people: 1 },
      ],
    });

    const audit = await testApp().db.prisma.auditEvent.findFirstOrThrow({
      where: { staffUserId: coordinator.id, action: 'read', resource: 'stats' },
      orderBy: { id: 'desc' },
    });
    expect(audit.detail).toEqual({ filters: { from: '2025-01-01', to: '2025-12-31' } });
  });

  test("a CIP's statistics count the people they follow only (p1 p2 p3 p4 p8); another CIP's are refused", async () => {
    const mine = (await cipA.call('GET', YEAR)).body;
    expect(mine.filters).toEqual({ cipId: cipA.id });
    expect(mine.caseload.total).toEqual({ active: 1, new: 3, exited: 3 });
    expect(mine.exits).toMatchObject({ total: 3, dynamic: 2, dynamicRate: 0.6667 });
    expect(mine.exits.byOutcome).toMatchObject({ durable: 1, transition: 1, positive: 0, other: 1 });
    // first placements: p2 2, p3 9, p4 32; exits: p1 120, p2 130, p3 198
    expect(mine.durations).toEqual({
      daysToFirstPlacement: { median: 9, count: 3 },
      daysToExit: { median: 130, count: 3 },
    });
    // seats: p2 p3 (5 March), p1 p4 (20 June); attended p2 p1, no-show p3; waiting p4; under 25: p1 of p2 p3 p1
    expect(mine.workshops).toMatchObject({ seatsBooked: 4, attended: 2, noShow: 1, waitlisted: 1 });
    expect(mine.workshops).toMatchObject({ attendanceRate: 0.6667, noShowRate: 0.3333, under25Share: 0.3333 });
    expect(mine.sasIae).toMatchObject({ people: 2, peopleAtEnd: 0, averageDays: 102 });
    expect(mine.blockers).toMatchObject({
      reported: 3,
      open: 3,
      resolved: 2,
      openOver14Days: 2,
      medianDaysToResolve: 7,
    });
    expect(mine.poec).toMatchObject({ people: 2, hired: 1 });
    expect(mine.reach.people).toBe(2);

    const other = await cipA.call('GET', `${YEAR}&cipId=${cipB.id}`);
    expect(other.status).toBe(403);
    expect(other.body.error).toMatchObject({ code: 'Forbidden', reason: 'stats.otherCip' });
    // A coordinator may look at one CIP's people: cipB follows p5 p6 p7.
    expect((await coordinator.call('GET', `${YEAR}&cipId=${cipB.id}`)).body.caseload.total).toEqual({
      active: 1,
      new: 2,
      exited: 1,
    });
  });

  test('one structure: the people placed there (Jardins: p4 and p6), and its occupancy only', async () => {
    const s = (await coordinator.call('GET', `${YEAR}&structureId=${fx.structures.jardins}`)).body;
    expect(s.caseload.total).toEqual({ active: 2, new: 1, exited: 0 });
    expect(s.sasIae).toMatchObject({
      people: 2,
      peopleAtEnd: 1,
      occupancy: [{ structureId: fx.structures.jardins, seatDays: 182 }],
    });
    expect(s.sasIae.occupancy).toHaveLength(1);
  });

  test('bad periods and filters: 400 (in French unless asked otherwise); no token: 401', async () => {
    const reversed = await request(
      testApp(),
      'GET',
      '/api/cip/stats?from=2025-12-31&to=2025-01-01',
      undefined,
      coordinator.token,
      { 'Accept-Language': 'fr-FR,fr;q=0.9' },
    );
    expect(reversed.status).toBe(400);
    expect(reversed.body.error).toEqual({
      code: 'ValidationError',
      reason: 'stats.period',
      params: { from: '2025-12-31', to: '2025-01-01' },
      message: 'La fin de la période (01/01/2025) est avant son début (31/12/2025).',
      fields: [{ path: 'query.to', message: 'ne doit pas être avant le début de la période' }],
    });
    const bad = await coordinator.call('GET', '/api/cip/stats?from=31/12/2025&structureId=abc');
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'query.from',
      'query.structureId',
    ]);
    expect((await request(testApp(), 'GET', YEAR)).status).toBe(401);
  });

  test('without dates: from 1 January of this year to today', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const s = (await coordinator.call('GET', '/api/cip/stats')).body;
    expect(s.period).toMatchObject({ from: `${today.slice(0, 4)}-01-01`, to: today });
  });
});
