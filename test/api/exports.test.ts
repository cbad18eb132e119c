// CSV exports (GET /api/cip/exports/<name>.csv) on SQLite and PostgreSQL, on the fixed data set of
// test/support/statsFixture.ts: the form French Excel opens as it is (BOM, ";", CRLF, quoted fields,
// days as YYYY-MM-DD, decimal commas, formulas defused), the filters of the page, a CIP's scope,
// one audit row per export with its filters and row count, 2,500 cases across the 1,000-row pages,
// and the refusals (400, 401, 403) as JSON before any byte of a file.
import type { App } from '../../bot/runtime/app';
import { appForTests, staffForTests } from '../support/app';
import { testDatabases } from '../support/databases';
import { loadStatsFixture, type StatsFixture } from '../support/statsFixture';

const BOM = '\ufeff';

/** The raw answer: status, headers and the text as sent (BOM kept). */
async function download(app: App, path: string, token?: string) {
  const res = await fetch(`${app.url}${path}`, {
    headers: { 'Accept-Language': 'en', ...(token && { Authorization: `Bearer ${token}` }) },
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    disposition: res.headers.get('content-disposition'),
    text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes),
  };
}

/** Fields of one line, split on ";" outside quotes; quoted fields are kept as written. */
function fields(line: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    if (ch === ';' && !quoted) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  return [...out, current];
}

/** The lines of a CSV whose fields hold no line breaks: a BOM first, CRLF after each line. */
function rows(text: string): string[][] {
  expect(text.startsWith(BOM)).toBe(true);
  const lines = text.slice(1).split('\r\n');
  expect(lines.pop()).toBe('');
  expect(lines.some((l) => l.includes('\n'))).toBe(false);
  return lines.map(fields);
}

describe.each(testDatabases())('CSV exports on $name', (kind) => {
  const testApp = appForTests({ DEMO_DATA: 'off' }, {}, kind);
  const [cipA, cipB, coordinator] = staffForTests(testApp, 'cip', 'cip', 'coordinator');
  let fx: StatsFixture;
  beforeAll(async () => (fx = await loadStatsFixture(testApp().db.prisma, cipA.id, cipB.id, new Date())), 60_000);

  const lastExport = () =>
    testApp().db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'export' }, orderBy: { id: 'desc' } });

  test(
    'cases.csv: BOM, ";" and CRLF, a header line, quoted fields, days, defused formulas; audited with its ' +
      'filters and rows',
    async () => {
      const res = await download(testApp(), '/api/cip/exports/cases.csv', coordinator.token);
      expect(res.status).toBe(200);
      expect(res.type).toBe('text/csv; charset=utf-8');
      expect(res.disposition).toMatch(/^attachment; filename="passerelle-cases-\d{4}-\d{2}-\d{2}\.csv"$/);
      const [header, ...lines] = rows(res.text);
      expect(header).toEqual([
        'id',
        'prenom',
        'nom',
        'telephone',
        'langue',
        'annee_naissance',
        'protection',
        'niveau_francais',
        'lecture',
        'etape',
        'statut',
        'cip_id',
        'date_entree',
        'date_sortie',
        'sortie_categorie',
        'sortie_detail',
        'consentement',
        'cree_le',
      ]);
      expect(lines.map((l) => Number(l[0]))).toEqual(Object.values(fx.people));
      const p1 = lines[0];
      expect(p1.slice(0, 5)).toEqual([String(fx.people.p1), 'Amina', 'Diallo', "'+33639980101", 'fr']);
      expect(p1.slice(9, 16)).toEqual([
        'exited',
        'active',
        String(cipA.id),
        '2024-11-10',
        '2025-03-10',
        'durable',
        'cdi',
      ]);
      expect(p1[17]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      // A name with the separator and quotes is one quoted field.
      expect(lines[2][1]).toBe('"Samir; ""le grand"""');
      expect(await lastExport()).toMatchObject({
        staffUserId: coordinator.id,
        resource: 'cases',
        detail: { filters: { scope: 'all' }, rows: 8 },
      });
    },
  );

  test("the page's filters, and a CIP's scope (their people only)", async () => {
    const arabic = rows(
      (await download(testApp(), '/api/cip/exports/cases.csv?language=ar&stage=exited', coordinator.token)).text,
    );
    expect(arabic.slice(1).map((l) => Number(l[0]))).toEqual([fx.people.p2, fx.people.p3]);
    expect(await lastExport()).toMatchObject({
      resource: 'cases',
      detail: { filters: { language: 'ar', stage: 'exited', scope: 'all' }, rows: 2 },
    });

    const mine = rows((await download(testApp(), '/api/cip/exports/cases.csv', cipA.token)).text);
    expect(mine.slice(1).map((l) => Number(l[0]))).toEqual([
      fx.people.p1,
      fx.people.p2,
      fx.people.p3,
      fx.people.p4,
      fx.people.p8,
    ]);
    expect(await lastExport()).toMatchObject({ staffUserId: cipA.id, detail: { rows: 5 } });

    const exits = rows(
      (await download(testApp(), '/api/cip/exports/exits.csv?from=2025-01-01&to=2025-12-31', coordinator.token)).text,
    );
    expect(exits[0]).toEqual([
      'id',
      'date_entree',
      'date_sortie',
      'jours',
      'categorie',
      'detail',
      'langue',
      'annee_naissance',
      'protection',
      'cip_id',
    ]);
    expect(exits.slice(1).map((l) => [Number(l[0]), l[3], l[4], l[5]])).toEqual([
      [fx.people.p1, '120', 'durable', 'cdi'],
      [fx.people.p2, '130', 'transition', 'cdd_short'],
      [fx.people.p3, '198', 'other', 'looking'],
      [fx.people.p5, '90', 'positive', 'training'],
    ]);
    expect(
      rows((await download(testApp(), '/api/cip/exports/exits.csv?outcome=positive', cipA.token)).text),
    ).toHaveLength(1);

    const placements = rows(
      (
        await download(
          testApp(),
          `/api/cip/exports/placements.csv?structureId=${fx.structures.jardins}&from=2025-01-01&to=2025-12-31`,
          coordinator.token,
        )
      ).text,
    );
    expect(placements.slice(1).map((l) => [Number(l[1]), l[3], l[6], l[7], l[8], l[9]])).toEqual([
      [fx.people.p4, 'Jardins de Cocagne', '2025-06-02', '2025-09-30', '121', 'ended'],
      [fx.people.p6, 'Jardins de Cocagne', '2025-11-01', '2026-02-28', '120', 'active'],
    ]);
    const bookings = rows(
      (await download(testApp(), '/api/cip/exports/bookings.csv?from=2025-06-01&to=2025-06-30', cipA.token)).text,
    );
    expect(bookings.slice(1).map((l) => [Number(l[5]), l[6]])).toEqual([
      [fx.people.p1, 'attended'],
      [fx.people.p4, 'booked'],
    ]);
    expect(bookings[1][3]).toBe('2025-06-20 09:00:00');
    const blockers = rows(
      (
        await download(
          testApp(),
          '/api/cip/exports/blockers.csv?from=2025-01-01&to=2025-12-31&category=housing',
          coordinator.token,
        )
      ).text,
    );
    expect(blockers.slice(1).map((l) => [l[3], l[5], l[8]])).toEqual([
      ['housing', 'resolved', '10'],
      ['housing', 'resolved', '4'],
      ['housing', 'resolved', '6'],
    ]);
  });

  test('events.csv: the timelines in scope, with their details as JSON', async () => {
    const prisma = testApp().db.prisma;
    await prisma.caseEvent.create({
      data: {
        beneficiaryId: fx.people.p1,
        type: 'exit_recorded',
        actorType: 'staff',
        actorId: String(cipA.id),
        payload: { outcome: 'durable' },
        createdAt: new Date('2025-03-10T08:30:00.000Z'),
      },
    });
    await prisma.caseEvent.create({
      data: {
        beneficiaryId: fx.people.p6,
        type: 'exit_recorded',
        actorType: 'staff',
        actorId: String(cipB.id),
        createdAt: new Date('2025-03-11T08:30:00.000Z'),
      },
    });
    const mine = rows((await download(testApp(), '/api/cip/exports/events.csv?type=exit_recorded', cipA.token)).text);
    expect(mine).toEqual([
      ['id', 'personne_id', 'type', 'acteur', 'acteur_id', 'alerte', 'date', 'details'],
      [
        expect.any(String),
        String(fx.people.p1),
        'exit_recorded',
        'staff',
        String(cipA.id),
        'non',
        '2025-03-10 08:30:00',
        '"{""outcome"":""durable""}"',
      ],
    ]);
    expect(
      rows(
        (
          await download(
            testApp(),
            '/api/cip/exports/events.csv?type=exit_recorded&from=2025-03-11&to=2025-03-11',
            coordinator.token,
          )
        ).text,
      )
        .slice(1)
        .map((l) => Number(l[1])),
    ).toEqual([fx.people.p6]);
  });

  test('stats.csv: one figure per line, decimals with a comma; a CIP may not ask for another (403, JSON)', async () => {
    const res = await download(
      testApp(),
      '/api/cip/exports/stats.csv?from=2025-01-01&to=2025-12-31',
      coordinator.token,
    );
    const lines = rows(res.text);
    expect(lines[0]).toEqual(['rubrique', 'indicateur', 'cle', 'valeur']);
    expect(lines).toContainEqual(['exits', 'dynamicRate', '', '0,75']);
    expect(lines).toContainEqual(['caseload', 'byLanguage.active', 'fa', '1']);
    expect(lines).toContainEqual(['blockers', 'byCategory.medianDaysToResolve', 'housing', '7']);
    expect(lines).toContainEqual(['poec', 'cohorts.rate', 'AFPA 2025-02-28', '0,3333']);
    expect(lines).toContainEqual(['sasIae', 'occupancy.seatDays', 'Jardins de Cocagne', '182']);
    expect(await lastExport()).toMatchObject({
      resource: 'stats',
      detail: { filters: { from: '2025-01-01', to: '2025-12-31' }, rows: lines.length - 1 },
    });

    const other = await download(testApp(), `/api/cip/exports/stats.csv?cipId=${cipB.id}`, cipA.token);
    expect(other.status).toBe(403);
    expect(JSON.parse(other.text).error).toMatchObject({ code: 'Forbidden', reason: 'stats.otherCip' });
  });

  test('bad filters: 400 as JSON; no token: 401; nothing audited', async () => {
    const before = await testApp().db.prisma.auditEvent.count({ where: { action: 'export' } });
    const bad = await download(testApp(), '/api/cip/exports/cases.csv?stage=nowhere&language=xx', coordinator.token);
    expect(bad.status).toBe(400);
    expect(
      JSON.parse(bad.text)
        .error.fields.map((f: { path: string }) => f.path)
        .sort(),
    ).toEqual(['query.language', 'query.stage']);
    expect((await download(testApp(), '/api/cip/exports/placements.csv')).status).toBe(401);
    expect((await download(testApp(), '/api/cip/exports/nothing.csv', coordinator.token)).status).toBe(404);
    expect(await testApp().db.prisma.auditEvent.count({ where: { action: 'export' } })).toBe(before);
  });

  test('2,500 cases: every one once, in order, across the 1,000-row pages', async () => {
    const prisma = testApp().db.prisma;
    const first = (await prisma.beneficiary.findFirstOrThrow({ orderBy: { id: 'desc' } })).id;
    await prisma.beneficiary.createMany({
      data: Array.from({ length: 2500 }, (_, i) => ({
        firstName: `Bulk${i}`,
        status: 'active',
        cipId: cipB.id,
        entryDate: new Date('2025-05-05T00:00:00.000Z'),
      })),
    });
    const lines = rows((await download(testApp(), '/api/cip/exports/cases.csv?q=Bulk', coordinator.token)).text).slice(
      1,
    );
    expect(lines).toHaveLength(2500);
    const ids = lines.map((l) => Number(l[0]));
    expect(ids[0]).toBeGreaterThan(first);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true);
    expect(lines[2499][1]).toBe('Bulk2499');
    expect(await lastExport()).toMatchObject({ resource: 'cases', detail: { filters: { q: 'Bulk' }, rows: 2500 } });
  });
});
