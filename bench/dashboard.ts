// The staff dashboard's API on a large database (issue 12): 10,000 cases and 500,000 timeline
// events, on SQLite and on PostgreSQL (when one answers at TEST_POSTGRES_URL). For each database:
// a fresh one, filled with raw SQL in chunks (INSERT ... SELECT from a JSON array, see
// bot/db/jsonRows.ts), then the real server (startApp, in this process) answers a coordinator:
//   - the case list: first page, a search (q), a filter (stage + language);
//   - a person's page: the case, its timeline (first page) and its placements, at once;
//   - the statistics of a year (GET /api/cip/stats);
// each `--dash-rounds` times after 3 warm-ups, one at a time: p50, p95, max (target p95 < 300 ms);
//   - the CSV export of the 10,000 cases, 3 times: seconds (target < 3 s), bytes, rows, and the
//     process's peak RSS during the export above its RSS before (target: flat, < 50 MB more).
// The data (seeded random, the same every run): 20 CIPs; cases entered over 2024-2026 in the 8
// languages, every stage, a third exited with an outcome; 50 events per case; 1.5 placements per
// case at 40 structures; 0.5 blockers per case; 400 workshop sessions of 2025 with 20,000
// bookings; 5 check-ins per immersion; 3 messages per case.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface DashboardBenchOptions {
  cases: number;
  eventsPerCase: number;
  rounds: number;
  dbs: ('sqlite' | 'postgres')[];
  log: (line: string) => void;
}

export interface Timing {
  name: string;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export interface DashboardRun {
  db: 'sqlite' | 'postgres';
  seedSeconds: number;
  rows: Record<string, number>;
  timings: Timing[];
  exports: { seconds: number; bytes: number; rows: number; rssBeforeMb: number; peakRssMb: number }[];
}

export const DASHBOARD_TARGET = { p95Ms: 300, exportSeconds: 3, exportRssGrowthMb: 50 };

const LANGUAGES = ['fr', 'en', 'ar', 'fa', 'ps', 'ti', 'ru', 'uk'];
const STAGES = ['diagnostic', 'sas_iae', 'siae', 'immersion', 'training', 'employment'];
const DETAILS: [string, string][] = [
  ['durable', 'cdi'],
  ['durable', 'cdd_6m_plus'],
  ['durable', 'work_study'],
  ['transition', 'cdd_short'],
  ['transition', 'interim_short'],
  ['positive', 'training'],
  ['positive', 'other_siae'],
  ['other', 'looking'],
  ['other', 'moved'],
  ['other', 'unknown'],
];
const EVENT_TYPES = [
  'profile_updated',
  'workshop_booked',
  'shift_confirmed',
  'checkin_answered',
  'blocker_reported',
  'language_changed',
  'placement_created',
  'consent_given',
];
const NAMES = [
  'Amina',
  'Karim',
  'Olena',
  'Farid',
  'Gul',
  'Tesfay',
  'Ivan',
  'Mariam',
  'Yonas',
  'Leila',
  'Oksana',
  'Ahmad',
];
const DAY_MS = 24 * 3600_000;
const STAFF_EMAIL = 'dashboard-coordinator@passerelle.test';

/** A small seeded generator: the same data every run. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

async function tempDatabase(kind: 'sqlite' | 'postgres'): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-dashboard-'));
    return {
      url: `file:${path.join(dir, 'bench.db')}`,
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const { createTempPostgres } = await import('../test/support/postgres');
  return createTempPostgres();
}

/** Fills a fresh database; returns the number of rows of each table and one person's id. */
async function seed(
  url: string,
  options: DashboardBenchOptions,
): Promise<{ rows: Record<string, number>; personId: number; password: string }> {
  const { openDatabase } = await import('../bot/db/client');
  const { dbTimestamp, insertFromJson } = await import('../bot/db/jsonRows');
  const { createStaff } = await import('../bot/services/staff');
  type JsonColumns = import('../bot/db/jsonRows').JsonColumns;
  const db = await openDatabase(url);
  const rnd = random(12);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)];
  const ts = (ms: number) => dbTimestamp(new Date(ms));
  const day = (ms: number) => dbTimestamp(new Date(Math.floor(ms / DAY_MS) * DAY_MS));
  const rows: Record<string, number> = {};
  try {
    const insert = async (table: string, columns: JsonColumns, data: Record<string, unknown>[], chunk = 5000) => {
      for (let i = 0; i < data.length; i += chunk) {
        const sql = insertFromJson(db.provider, table, columns);
        await db.prisma.$executeRawUnsafe(sql, JSON.stringify(data.slice(i, i + chunk)));
      }
      rows[table] = (rows[table] ?? 0) + data.length;
    };
    const { password } = await createStaff(db.prisma, {
      email: STAFF_EMAIL,
      role: 'coordinator',
      name: 'Dashboard coordinator',
    });
    await db.prisma.staffUser.createMany({
      data: Array.from({ length: 20 }, (_, i) => ({ email: `cip${i}@passerelle.test`, name: `CIP ${i}`, role: 'cip' })),
    });
    const cips = (await db.prisma.staffUser.findMany({ where: { role: 'cip' }, select: { id: true } })).map(
      (c) => c.id,
    );

    // Cases: entered between 2024-01-01 and 2026-06-30; a third left 30 to 400 days later.
    const start = Date.UTC(2024, 0, 1);
    const span = Date.UTC(2026, 5, 30) - start;
    const now = Date.now();
    const cases = Array.from({ length: options.cases }, (_, i) => {
      const entry = start + Math.floor(rnd() * span);
      const exited = rnd() < 0.33 && entry + 30 * DAY_MS < now;
      const exitAt = Math.min(now - DAY_MS, entry + (30 + Math.floor(rnd() * 370)) * DAY_MS);
      const [outcome, detail] = pick(DETAILS);
      return {
        firstName: `${pick(NAMES)}${i}`,
        lastName: `Nom${i}`,
        phone: `+3378${String(i).padStart(7, '0')}`,
        language: pick(LANGUAGES),
        birthYear: rnd() < 0.1 ? null : 1960 + Math.floor(rnd() * 45),
        protectionStatus: rnd() < 0.7 ? 'refugee' : 'subsidiary',
        stage: exited ? 'exited' : pick(STAGES),
        status: rnd() < 0.05 ? 'archived' : 'active',
        cipId: pick(cips),
        entryDate: ts(entry),
        exitDate: exited ? day(exitAt) : null,
        exitOutcome: exited ? outcome : null,
        exitDetail: exited ? detail : null,
        createdAt: ts(entry),
        updatedAt: ts(entry),
      };
    });
    await insert(
      'Beneficiary',
      {
        firstName: 'text',
        lastName: 'text',
        phone: 'text',
        language: 'text',
        birthYear: 'int',
        protectionStatus: 'text',
        stage: 'text',
        status: 'text',
        cipId: 'int',
        entryDate: 'timestamp',
        exitDate: 'timestamp',
        exitOutcome: 'text',
        exitDetail: 'text',
        createdAt: 'timestamp',
        updatedAt: 'timestamp',
      },
      cases,
    );
    const people = (
      await db.prisma.beneficiary.findMany({ select: { id: true, entryDate: true }, orderBy: { id: 'asc' } })
    ).map((b) => ({ id: b.id, entry: b.entryDate.getTime() }));
    options.log(`dashboard: ${people.length} cases`);

    // Timeline events: 50 per case, over the 400 days after the entry, in chunks (never all in memory).
    const eventColumns: JsonColumns = {
      beneficiaryId: 'int',
      type: 'text',
      actorType: 'text',
      actorId: 'text',
      payload: 'json',
      createdAt: 'timestamp',
    };
    for (let i = 0; i < people.length; i += 1000) {
      const batch = people.slice(i, i + 1000).flatMap((p) =>
        Array.from({ length: options.eventsPerCase }, (_, k) => ({
          beneficiaryId: p.id,
          type: pick(EVENT_TYPES),
          actorType: 'system',
          actorId: null,
          payload: { n: k },
          createdAt: ts(p.entry + Math.floor(rnd() * 400 * DAY_MS)),
        })),
      );
      await insert('CaseEvent', eventColumns, batch, 10000);
    }
    options.log(`dashboard: ${rows.CaseEvent} events`);

    // Structures, placements, check-ins.
    await db.prisma.structure.createMany({
      data: [
        ...Array.from({ length: 20 }, (_, i) => ({ name: `SIAE ${i}`, kind: 'siae', capacity: 2 + (i % 3) })),
        ...Array.from({ length: 15 }, (_, i) => ({ name: `Entreprise ${i}`, kind: 'company' })),
        ...Array.from({ length: 5 }, (_, i) => ({ name: `Formation ${i}`, kind: 'training' })),
      ],
    });
    const structures = await db.prisma.structure.findMany({ select: { id: true, kind: true } });
    const byKind = (k: string) => structures.filter((s) => s.kind === k).map((s) => s.id);
    const [siae, company, training] = [byKind('siae'), byKind('company'), byKind('training')];
    const placements = people.flatMap((p) => {
      const n = rnd() < 0.5 ? 1 : 2;
      return Array.from({ length: n }, () => {
        const kind = pick(['sas_iae', 'immersion', 'poec', 'work_study', 'job']);
        const from = Math.floor((p.entry + Math.floor(rnd() * 200) * DAY_MS) / DAY_MS) * DAY_MS;
        const length =
          kind === 'immersion' ? 4 : kind === 'sas_iae' ? 30 + Math.floor(rnd() * 90) : 60 + Math.floor(rnd() * 300);
        const structureId = kind === 'sas_iae' ? pick(siae) : kind === 'poec' ? pick(training) : pick(company);
        return {
          beneficiaryId: p.id,
          structureId,
          kind,
          startDate: day(from),
          endDate: day(from + length * DAY_MS),
          status: pick(['planned', 'active', 'ended', 'ended', 'cancelled']),
          createdAt: ts(from),
          updatedAt: ts(from),
        };
      });
    });
    await insert(
      'Placement',
      {
        beneficiaryId: 'int',
        structureId: 'int',
        kind: 'text',
        startDate: 'timestamp',
        endDate: 'timestamp',
        status: 'text',
        createdAt: 'timestamp',
        updatedAt: 'timestamp',
      },
      placements,
    );
    const immersions = await db.prisma.placement.findMany({
      where: { kind: 'immersion' },
      select: { id: true, beneficiaryId: true, startDate: true },
    });
    const checkIns = immersions.flatMap((p) =>
      Array.from({ length: 5 }, (_, k) => ({
        placementId: p.id,
        beneficiaryId: p.beneficiaryId,
        day: new Date(p.startDate.getTime() + k * DAY_MS).toISOString().slice(0, 10),
        status: pick(['sent', 'good', 'good', 'difficult', 'needs_help', 'no_reply']),
        createdAt: ts(p.startDate.getTime() + k * DAY_MS),
        updatedAt: ts(p.startDate.getTime() + k * DAY_MS),
      })),
    );
    await insert(
      'CheckIn',
      {
        placementId: 'int',
        beneficiaryId: 'int',
        day: 'text',
        status: 'text',
        createdAt: 'timestamp',
        updatedAt: 'timestamp',
      },
      checkIns,
    );

    // Blockers: half the cases; resolved after 1 to 40 days, or still open.
    const blockers = people
      .filter(() => rnd() < 0.5)
      .map((p, i) => {
        const at = p.entry + Math.floor(rnd() * 300) * DAY_MS;
        const resolved = rnd() < 0.7 ? at + (1 + Math.floor(rnd() * 40)) * DAY_MS : null;
        return {
          reference: `B-${100000 + i}`,
          beneficiaryId: p.id,
          category: pick(['housing', 'childcare', 'health', 'papers', 'transport', 'money', 'other']),
          urgency: pick(['today', 'week', 'later']),
          status: resolved && resolved < now ? 'resolved' : pick(['open', 'in_progress']),
          resolvedAt: resolved && resolved < now ? ts(resolved) : null,
          createdAt: ts(at),
          updatedAt: ts(at),
        };
      });
    await insert(
      'Blocker',
      {
        reference: 'text',
        beneficiaryId: 'int',
        category: 'text',
        urgency: 'text',
        status: 'text',
        resolvedAt: 'timestamp',
        createdAt: 'timestamp',
        updatedAt: 'timestamp',
      },
      blockers,
    );

    // Workshops: 400 sessions of 2025, 50 people each (seats and waiting lists).
    const workshop = await db.prisma.workshop.create({
      data: { code: 'dashboard_bench', title: 'Atelier', category: 'job_search' },
    });
    await db.prisma.workshopSession.createMany({
      data: Array.from({ length: 400 }, (_, i) => {
        const at = Date.UTC(2025, 0, 2) + Math.floor(i * 0.9) * DAY_MS + 9 * 3600_000;
        return {
          workshopId: workshop.id,
          startsAt: new Date(at),
          endsAt: new Date(at + 2 * 3600_000),
          place: 'Salle',
          capacity: 40,
          status: i % 25 === 0 ? 'cancelled' : 'scheduled',
        };
      }),
    });
    const sessions = (await db.prisma.workshopSession.findMany({ select: { id: true } })).map((s) => s.id);
    const bookings = sessions.flatMap((sessionId, i) =>
      Array.from({ length: 50 }, (_, k) => ({
        sessionId,
        beneficiaryId: people[(i * 50 + k) % people.length].id,
        status: k >= 40 ? 'waitlisted' : pick(['booked', 'attended', 'attended', 'no_show', 'cancelled']),
        source: 'cip',
        createdAt: ts(now),
        updatedAt: ts(now),
      })),
    );
    await insert(
      'Booking',
      {
        sessionId: 'int',
        beneficiaryId: 'int',
        status: 'text',
        source: 'text',
        createdAt: 'timestamp',
        updatedAt: 'timestamp',
      },
      bookings,
    );

    // Messages: 3 per case.
    const messages = people.flatMap((p) =>
      Array.from({ length: 3 }, () => {
        const at = p.entry + Math.floor(rnd() * 300) * DAY_MS;
        return {
          direction: pick(['in', 'out']),
          channel: pick(['whatsapp', 'whatsapp', 'webchat']),
          beneficiaryId: p.id,
          status: pick(['sent', 'delivered', 'read', 'received', 'failed']),
          payload: { type: 'message', text: 'bonjour' },
          createdAt: ts(at),
          updatedAt: ts(at),
        };
      }),
    );
    await insert(
      'Message',
      {
        direction: 'text',
        channel: 'text',
        beneficiaryId: 'int',
        status: 'text',
        payload: 'json',
        createdAt: 'timestamp',
        updatedAt: 'timestamp',
      },
      messages,
    );
    if (db.provider === 'postgresql') await db.prisma.$executeRawUnsafe('ANALYZE');
    else await db.prisma.$queryRawUnsafe('PRAGMA optimize');
    return { rows, personId: people[Math.floor(people.length / 2)].id, password };
  } finally {
    await db.close();
  }
}

async function runOne(kind: 'sqlite' | 'postgres', options: DashboardBenchOptions): Promise<DashboardRun> {
  const { startApp } = await import('../bot/runtime/app');
  const { loadConfig } = await import('../bot/runtime/config');
  const { silentLogger } = await import('../bot/runtime/logger');
  const tmp = await tempDatabase(kind);
  const media = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-dashboard-media-'));
  try {
    const seededAt = performance.now();
    const { rows, personId, password } = await seed(tmp.url, options);
    const seedSeconds = (performance.now() - seededAt) / 1000;
    options.log(`dashboard: ${kind} seeded in ${seedSeconds.toFixed(1)} s`);
    const app = await startApp(
      loadConfig({
        DATABASE_URL: tmp.url,
        PORT: '0',
        HOST: '127.0.0.1',
        DEMO_DATA: 'off',
        MEDIA_DIR: media,
        QUIET_HOURS: 'off',
        LOG_LEVEL: 'warn',
      }),
      silentLogger,
      { warmUp: false },
    );
    try {
      const call = async (p: string, init: RequestInit = {}) => {
        const res = await fetch(`${app.url}${p}`, init);
        if (!res.ok) throw new Error(`${p} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
        return res;
      };
      const json = { 'Content-Type': 'application/json' };
      const first = (await (
        await call('/api/cip/session', {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ email: STAFF_EMAIL, password }),
        })
      ).json()) as { token: string };
      const auth = { Authorization: `Bearer ${first.token}` };
      await call('/api/cip/password', {
        method: 'POST',
        headers: { ...json, ...auth },
        body: JSON.stringify({ password: 'dashboard bench 2026' }),
      });
      const get = async (p: string) => (await call(p, { headers: auth })).arrayBuffer();

      const scenarios: [string, () => Promise<unknown>][] = [
        ['case list, first page', () => get('/api/cip/beneficiaries?limit=50')],
        ['case list, a search', () => get('/api/cip/beneficiaries?q=Olena12&limit=50')],
        ['case list, a filter', () => get('/api/cip/beneficiaries?stage=sas_iae&language=ar&limit=50')],
        [
          "a person's page",
          () =>
            Promise.all([
              get(`/api/cip/beneficiaries/${personId}`),
              get(`/api/cip/beneficiaries/${personId}/timeline?limit=50`),
              get(`/api/cip/beneficiaries/${personId}/placements`),
            ]),
        ],
        ['statistics of 2025', () => get('/api/cip/stats?from=2025-01-01&to=2025-12-31')],
      ];
      const timings: Timing[] = [];
      for (const [name, run] of scenarios) {
        for (let i = 0; i < 3; i++) await run();
        const times: number[] = [];
        for (let i = 0; i < options.rounds; i++) {
          const t0 = performance.now();
          await run();
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        timings.push({
          name,
          p50Ms: quantile(times, 0.5),
          p95Ms: quantile(times, 0.95),
          maxMs: times[times.length - 1],
        });
        options.log(`dashboard: ${kind} ${name}: p95 ${quantile(times, 0.95).toFixed(1)} ms`);
      }

      const exports: DashboardRun['exports'] = [];
      global.gc?.();
      for (let i = 0; i < 3; i++) {
        const rssBefore = process.memoryUsage().rss;
        let peak = rssBefore;
        const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
        const t0 = performance.now();
        const res = await call('/api/cip/exports/cases.csv', { headers: auth });
        let bytes = 0;
        let lines = 0;
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          bytes += chunk.length;
          for (const b of chunk) if (b === 10) lines++;
        }
        const seconds = (performance.now() - t0) / 1000;
        clearInterval(sampler);
        peak = Math.max(peak, process.memoryUsage().rss);
        exports.push({ seconds, bytes, rows: lines - 1, rssBeforeMb: rssBefore / 2 ** 20, peakRssMb: peak / 2 ** 20 });
        options.log(
          `dashboard: ${kind} export ${i + 1}: ${seconds.toFixed(2)} s, ${lines - 1} rows, RSS ` +
            `${(rssBefore / 2 ** 20).toFixed(0)} -> peak ${(peak / 2 ** 20).toFixed(0)} MB`,
        );
      }
      return { db: kind, seedSeconds, rows, timings, exports };
    } finally {
      await app.stop();
    }
  } finally {
    await tmp.drop();
    fs.rmSync(media, { recursive: true, force: true });
  }
}

export async function runDashboardBench(options: DashboardBenchOptions): Promise<DashboardRun[]> {
  const runs: DashboardRun[] = [];
  for (const kind of options.dbs) {
    if (kind === 'postgres') {
      const { postgresAvailable, PG_ADMIN_URL } = await import('../test/support/postgres');
      if (!(await postgresAvailable())) {
        options.log(`dashboard: no PostgreSQL at ${PG_ADMIN_URL} (TEST_POSTGRES_URL): skipped`);
        continue;
      }
    }
    runs.push(await runOne(kind, options));
  }
  return runs;
}

export function dashboardReport(runs: DashboardRun[]): string[] {
  const ms = (v: number) => v.toFixed(1);
  return runs.flatMap((r) => [
    `dashboard (${r.db === 'sqlite' ? 'SQLite' : 'PostgreSQL'}): ${Object.entries(r.rows)
      .map(([t, n]) => `${n.toLocaleString('en')} ${t}`)
      .join(', ')} (seeded in ${r.seedSeconds.toFixed(1)} s)`,
    ...r.timings.map(
      (t) =>
        `  ${t.name.padEnd(24)} p50 ${ms(t.p50Ms)} ms, p95 ${ms(t.p95Ms)} ms, max ${ms(t.maxMs)} ms ` +
        `${t.p95Ms < DASHBOARD_TARGET.p95Ms ? 'ok' : 'OVER TARGET'}`,
    ),
    ...r.exports.map(
      (e, i) =>
        `  CSV export ${i + 1}: ${e.rows.toLocaleString('en')} cases, ${(e.bytes / 2 ** 20).toFixed(2)} MB in ` +
        `${e.seconds.toFixed(2)} s ${e.seconds < DASHBOARD_TARGET.exportSeconds ? 'ok' : 'OVER TARGET'}; ` +
        `RSS ${e.rssBeforeMb.toFixed(0)} MB before, peak ${e.peakRssMb.toFixed(0)} MB ` +
        `(+${(e.peakRssMb - e.rssBeforeMb).toFixed(0)} MB)`,
    ),
  ]);
}

export function dashboardFailures(runs: DashboardRun[]): number {
  return runs.reduce(
    (n, r) =>
      n +
      r.timings.filter((t) => t.p95Ms >= DASHBOARD_TARGET.p95Ms).length +
      r.exports.filter(
        (e) =>
          e.seconds >= DASHBOARD_TARGET.exportSeconds ||
          e.peakRssMb - e.rssBeforeMb >= DASHBOARD_TARGET.exportRssGrowthMb,
      ).length,
    0,
  );
}
