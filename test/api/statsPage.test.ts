// The Statistiques page with its filters: one CIP's people or the people placed at one structure,
// the same figures as GET /api/cip/stats with the same filters; a CIP gets no choice of CIP (their
// own people only, whatever the address says).
import { appForTests } from '../support/app';
import { signedIn } from '../support/cipApi';
import { dashboardClient } from '../support/dashboardClient';

const testApp = appForTests({ DEMO_DATA: 'off' });

const { send, signIn, account } = dashboardClient(testApp);

/** The "Total" row of the caseload table: active, new, exited. */
const totals = (html: string) =>
  /<tr><th scope="row">Total<\/th><td>(\d+)<\/td><td>(\d+)<\/td><td>(\d+)<\/td><\/tr>/.exec(html)?.slice(1).map(Number);

test("a coordinator filters by CIP and by structure: the figures are the API's for the same filters", async () => {
  const db = testApp().db.prisma;
  await account('stats.coord@passerelle.test', 'coordinator');
  const cipA = await account('stats.a@passerelle.test', 'cip');
  const cipB = await account('stats.b@passerelle.test', 'cip');
  const structure = await db.structure.create({ data: { name: 'Jardins de Stats', kind: 'siae' } });
  const entry = new Date('2026-02-02T00:00:00Z');
  for (let i = 0; i < 3; i++)
    await db.beneficiary.create({ data: { firstName: `A${i}`, status: 'active', cipId: cipA.id, entryDate: entry } });
  const placed = await db.beneficiary.create({
    data: { firstName: 'B0', status: 'active', cipId: cipB.id, entryDate: entry },
  });
  await db.placement.create({
    data: {
      beneficiaryId: placed.id,
      structureId: structure.id,
      kind: 'sas_iae',
      startDate: new Date('2026-02-09T00:00:00Z'),
      endDate: new Date('2026-05-08T00:00:00Z'),
      status: 'active',
    },
  });
  const { cookie } = await signIn('stats.coord@passerelle.test');
  const api = await signedIn(testApp(), 'coordinator');
  const period = 'from=2026-01-01&to=2026-12-31';
  for (const [filter, expected] of [
    ['', 4],
    [`&cipId=${cipA.id}`, 3],
    [`&cipId=${cipB.id}`, 1],
    [`&structureId=${structure.id}`, 1],
  ] as const) {
    const page = await send(`/cip/stats?${period}${filter}`, { cookie });
    expect(page.status).toBe(200);
    const html = await page.text();
    const figures = (await api.call('GET', `/api/cip/stats?${period}${filter}`)).body;
    expect([filter, totals(html)]).toEqual([
      filter,
      [figures.caseload.total.active, figures.caseload.total.new, figures.caseload.total.exited],
    ]);
    expect([filter, figures.caseload.total.active]).toEqual([filter, expected]);
  }
  const byCip = await (await send(`/cip/stats?${period}&cipId=${cipA.id}`, { cookie })).text();
  expect(byCip).toMatch(/id="stats-scope">CIP : <strong>[^<]+<\/strong>/);
  expect(byCip).toContain(`<option value="${cipA.id}" selected>`);

  // A CIP: no CIP to choose, and another CIP's id in the address changes nothing.
  const mine = await signIn('stats.b@passerelle.test');
  const own = await (await send(`/cip/stats?${period}&cipId=${cipA.id}`, { cookie: mine.cookie })).text();
  expect(own).not.toContain('id="cipId"');
  expect(totals(own)).toEqual([1, 1, 0]);
});
