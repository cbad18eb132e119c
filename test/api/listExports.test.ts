// "Exporter (CSV)" on the lists: the people list's link carries its filters and downloads those
// cases only (UTF-8 with a BOM, ";"), the problems list's its status; through the API's own export
// (its scope and audit).
import { appForTests } from '../support/app';
import { dashboardClient } from '../support/dashboardClient';

const testApp = appForTests({ DEMO_DATA: 'off' });

const { send, signIn, account } = dashboardClient(testApp);
const link = (html: string, id: string) =>
  new RegExp(`id="${id}" href="([^"]+)"`).exec(html)?.[1].replace(/&amp;/g, '&');

test("the lists' export links carry their filters; the download has those rows only", async () => {
  const db = testApp().db.prisma;
  const staff = await account('export.coord@passerelle.test', 'coordinator');
  for (const [firstName, language] of [
    ['Dari1', 'fa'],
    ['Dari2', 'fa'],
    ['Ara1', 'ar'],
  ])
    await db.beneficiary.create({ data: { firstName, language, status: 'active' } });
  const someone = await db.beneficiary.findFirstOrThrow({ where: { firstName: 'Ara1' } });
  await db.blocker.create({
    data: { beneficiaryId: someone.id, category: 'housing', urgency: 'this_week', status: 'open', reference: 'P-1' },
  });
  await db.blocker.create({
    data: {
      beneficiaryId: someone.id,
      category: 'childcare',
      urgency: 'no_rush',
      status: 'resolved',
      reference: 'P-2',
    },
  });
  const { cookie } = await signIn('export.coord@passerelle.test');

  const people = await (await send('/cip/people?language=fa', { cookie })).text();
  const casesUrl = link(people, 'export-cases')!;
  expect(casesUrl).toMatch(/^\/cip\/exports\/cases\.csv\?.*language=fa/);
  const csv = await send(casesUrl, { cookie });
  expect(csv.status).toBe(200);
  const body = Buffer.from(await csv.arrayBuffer());
  expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = body.toString('utf8').slice(1).trim().split(/\r?\n/);
  expect(lines[0].split(';')).toContain('prenom');
  expect(
    lines
      .slice(1)
      .map((l) => l.split(';')[1])
      .sort(),
  ).toEqual(['Dari1', 'Dari2']);
  expect(await db.auditEvent.count({ where: { staffUserId: staff.id, action: 'export', resource: 'cases' } })).toBe(1);

  const problems = await (await send('/cip/blockers?status=open', { cookie })).text();
  const blockersUrl = link(problems, 'export-blockers')!;
  expect(blockersUrl).toBe('/cip/exports/blockers.csv?status=open');
  const rows = (await (await send(blockersUrl, { cookie })).text()).trim().split(/\r?\n/).slice(1);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toContain('P-1');

  // The alerts' export: the events flagged for attention only.
  await db.caseEvent.create({
    data: { beneficiaryId: someone.id, type: 'absence_reported', actorType: 'beneficiary', attention: true },
  });
  await db.caseEvent.create({
    data: { beneficiaryId: someone.id, type: 'language_changed', actorType: 'beneficiary' },
  });
  const alerts = await (await send('/cip/alerts', { cookie })).text();
  const alertsUrl = link(alerts, 'export-alerts')!;
  expect(alertsUrl).toBe('/cip/exports/events.csv?attention=true');
  const alertRows = (await (await send(alertsUrl, { cookie })).text()).trim().split(/\r?\n/).slice(1);
  expect(alertRows.map((r) => r.split(';')[2])).toEqual(['absence_reported']);
  // The sessions' bookings and the structures' placements, from their lists.
  expect(link(await (await send('/cip/workshops', { cookie })).text(), 'export-bookings')).toBe(
    '/cip/exports/bookings.csv',
  );
  expect(link(await (await send('/cip/structures', { cookie })).text(), 'export-placements')).toBe(
    '/cip/exports/placements.csv',
  );
});
