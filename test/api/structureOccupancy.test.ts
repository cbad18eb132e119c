// A structure's occupancy week by week (GET /api/cip/structures/:id/occupancy, and the list's
// occupancyWeeks), on SQLite and PostgreSQL, against a fixed data set whose figures are worked out
// by hand below. Today is Wednesday 2026-03-04, so the weeks run Monday to Sunday from 2026-03-02.
import { appForTests, staffForTests } from '../support/app';
import { request } from '../support/cipApi';
import { testDatabases } from '../support/databases';

const NOW = new Date('2026-03-04T10:00:00Z');
const WEEKS = [
  ['2026-03-02', '2026-03-08'],
  ['2026-03-09', '2026-03-15'],
  ['2026-03-16', '2026-03-22'],
  ['2026-03-23', '2026-03-29'],
  ['2026-03-30', '2026-04-05'],
  ['2026-04-06', '2026-04-12'],
  ['2026-04-13', '2026-04-19'],
  ['2026-04-20', '2026-04-26'],
];
/*
 * The placements at the SIAE (no capacity set: 2 seats), both ends included:
 *   Ana    sas_iae   active    02-16 .. 03-02   ends on the Monday of week 0          -> week 0
 *   Bilal  sas_iae   planned   03-10 .. 04-09   from Tuesday of week 1 to Thursday of week 5 -> weeks 1-5
 *   Bilal  immersion planned   03-20 .. 03-25   the same person again: counted once   -> (weeks 2-3)
 *   Chirin immersion planned   03-15 .. 03-16   the Sunday of week 1, Monday of week 2 -> weeks 1, 2
 *   Dawit  sas_iae   cancelled 03-01 .. 04-30   holds no seat                          -> none
 *   Elif   sas_iae   ended     03-01 .. 03-31   holds no seat                          -> none
 *   Farid  sas_iae   planned   04-26 .. 06-30   starts on the Sunday of week 7         -> week 7
 *   Goran  sas_iae   planned   04-27 .. 05-30   starts after the 8 weeks               -> none
 *   Hawa   sas_iae   active    01-05 .. 02-27   ended before this week                 -> none
 * and Ivan at another SIAE for the whole period (not counted here).
 * Week by week: 1, 2, 2, 1, 1, 1, 0, 1.
 */
const EXPECTED = [1, 2, 2, 1, 1, 1, 0, 1];

describe.each(testDatabases())('occupancy on $name', (kind) => {
  const testApp = appForTests({}, { now: () => NOW }, kind);
  const [cip] = staffForTests(testApp, 'cip');
  let siae: number;
  let bigger: number;
  let company: number;

  beforeAll(async () => {
    const db = testApp().db.prisma;
    siae = (await db.structure.create({ data: { name: 'Ressourcerie du Test', kind: 'siae' } })).id;
    bigger = (await db.structure.create({ data: { name: 'Chantier du Test', kind: 'siae', capacity: 3 } })).id;
    company = (await db.structure.create({ data: { name: 'Garage du Test', kind: 'company' } })).id;
    const person = async (firstName: string) =>
      (await db.beneficiary.create({ data: { firstName, status: 'active' } })).id;
    const place = async (
      beneficiaryId: number,
      structureId: number,
      kind: string,
      status: string,
      from: string,
      to: string,
    ) =>
      db.placement.create({
        data: {
          beneficiaryId,
          structureId,
          kind,
          status,
          startDate: new Date(`${from}T00:00:00Z`),
          endDate: new Date(`${to}T00:00:00Z`),
        },
      });
    const bilal = await person('Bilal');
    await place(await person('Ana'), siae, 'sas_iae', 'active', '2026-02-16', '2026-03-02');
    await place(bilal, siae, 'sas_iae', 'planned', '2026-03-10', '2026-04-09');
    await place(bilal, siae, 'immersion', 'planned', '2026-03-20', '2026-03-25');
    await place(await person('Chirin'), siae, 'immersion', 'planned', '2026-03-15', '2026-03-16');
    await place(await person('Dawit'), siae, 'sas_iae', 'cancelled', '2026-03-01', '2026-04-30');
    await place(await person('Elif'), siae, 'sas_iae', 'ended', '2026-03-01', '2026-03-31');
    await place(await person('Farid'), siae, 'sas_iae', 'planned', '2026-04-26', '2026-06-30');
    await place(await person('Goran'), siae, 'sas_iae', 'planned', '2026-04-27', '2026-05-30');
    await place(await person('Hawa'), siae, 'sas_iae', 'active', '2026-01-05', '2026-02-27');
    await place(await person('Ivan'), bigger, 'sas_iae', 'active', '2026-02-01', '2026-06-30');
  }, 60_000);

  test('8 weeks by default, Monday to Sunday from this week, people placed vs the 2 seats of an SIAE', async () => {
    const res = await cip.call('GET', `/api/cip/structures/${siae}/occupancy`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      structureId: siae,
      seats: 2,
      weeks: WEEKS.map(([from, to], i) => ({ from, to, placed: EXPECTED[i] })),
    });
  });

  test('fewer or more weeks when asked; a set capacity; a company without one; no audit (counts only)', async () => {
    expect(
      (await cip.call('GET', `/api/cip/structures/${siae}/occupancy?weeks=3`)).body.weeks.map(
        (w: { placed: number }) => w.placed,
      ),
    ).toEqual([1, 2, 2]);
    const long = (await cip.call('GET', `/api/cip/structures/${siae}/occupancy?weeks=12`)).body.weeks;
    expect(long).toHaveLength(12);
    // Farid to the end of June, Goran from 04-27 to 05-30: weeks 8-11 run from 04-27 to 05-24.
    expect(long.slice(8).map((w: { from: string; placed: number }) => [w.from, w.placed])).toEqual([
      ['2026-04-27', 2],
      ['2026-05-04', 2],
      ['2026-05-11', 2],
      ['2026-05-18', 2],
    ]);
    expect((await cip.call('GET', `/api/cip/structures/${bigger}/occupancy?weeks=2`)).body).toEqual({
      structureId: bigger,
      seats: 3,
      weeks: WEEKS.slice(0, 2).map(([from, to]) => ({ from, to, placed: 1 })),
    });
    expect((await cip.call('GET', `/api/cip/structures/${company}/occupancy?weeks=1`)).body).toEqual({
      structureId: company,
      seats: null,
      weeks: [{ from: WEEKS[0][0], to: WEEKS[0][1], placed: 0 }],
    });
    expect(
      await testApp().db.prisma.auditEvent.count({
        where: { staffUserId: cip.id, resource: { in: ['structure', 'placement', 'contact'] } },
      }),
    ).toBe(0);
  });

  test('the list gives the same figures with occupancyWeeks, and none without', async () => {
    const listed = (await cip.call('GET', '/api/cip/structures?kind=siae&occupancyWeeks=8&limit=500')).body.items;
    const mine = listed.find((s: { id: number }) => s.id === siae);
    expect(mine.occupancy).toEqual(WEEKS.map(([from, to], i) => ({ from, to, placed: EXPECTED[i] })));
    expect(
      listed.find((s: { id: number }) => s.id === bigger).occupancy.map((w: { placed: number }) => w.placed),
    ).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(
      (await cip.call('GET', '/api/cip/structures?kind=siae')).body.items.every((s: object) => !('occupancy' in s)),
    ).toBe(true);
  });

  test('unknown structure: 404; weeks out of 1..26 or not a number: 400; bad id: 400; no token: 401', async () => {
    expect((await cip.call('GET', '/api/cip/structures/999999/occupancy')).body.error).toMatchObject({
      code: 'NotFound',
      reason: 'notFound.Structure',
    });
    for (const weeks of ['0', '27', 'many', '2.5']) {
      const bad = await cip.call('GET', `/api/cip/structures/${siae}/occupancy?weeks=${weeks}`);
      expect({ weeks, status: bad.status, path: bad.body.error.fields?.[0]?.path }).toEqual({
        weeks,
        status: 400,
        path: 'query.weeks',
      });
    }
    expect((await cip.call('GET', '/api/cip/structures?occupancyWeeks=30')).status).toBe(400);
    expect((await cip.call('GET', '/api/cip/structures/abc/occupancy')).status).toBe(400);
    expect((await request(testApp(), 'GET', `/api/cip/structures/${siae}/occupancy`)).status).toBe(401);
  });
});
