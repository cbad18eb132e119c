// Scaling out on PostgreSQL: the WhatsApp conversation load of whatsapp.ts (every person new:
// "bonjour", then onboarding in French, Arabic or Dari, the menu, the agenda, the workshops, the
// languages, answering each question as soon as it arrives) against one server instance, then
// two (processes of their own, bench/server.ts, on one database), same people, same messages.
//
// Each run starts from the same state: a fresh throw-away PostgreSQL database with the bench data
// (data.ts), a fresh fake Graph API, the instances started and warmed up (100 people through the
// whole conversation, not measured), then the people all at once. The load generator (this
// process) sends each webhook to the next instance in turn: no proxy in front, as a load balancer
// would be, because on this 2-core machine it would take CPU from the instances it is meant to
// measure; round robin by webhook, not by person, so a person's messages land on both instances
// (as behind a balancer without sticky sessions) and the cross-instance order and claims work.
//
// Measured, per run: answered messages a second (a question back for each webhook), webhook ->
// next question p50/p95/p99, the CPU of each instance, of PostgreSQL (the backends of the run's
// database), of the load generator and of the fake, the machine's idle share, and what the
// database's backends were doing (pg_stat_activity sampled every 100 ms: running, waiting on a
// lock, on I/O..., and which statements) and its transactions per message (pg_stat_database).
// From the CPU per answered message of each part: what the CPU allows with nothing else running
// (the machine's cores for all the parts, one core for each instance), a figure that other busy
// processes on the machine move less than the throughput itself.
// --scale-rounds N alternates the runs (1, 2, 1, 2...) and compares medians.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { FakeGraphProcess, serverEnv, webhookPoster, type WhatsAppServer } from './fakeGraph';
import { cpuTicksOf, ServerProcess, tempDatabase, ticksPerSecond } from './serverProcess';
import { script, stats, talk } from './waConversation';

export const SCALE_TARGET = { ratio: 1.6 };

export interface ScaleBenchOptions {
  /** people talking at once in the measured phase */
  people: number;
  /** WHATSAPP_MPS of the instances (shared by them on PostgreSQL) */
  mps: number;
  /** runs of each kind, alternated */
  rounds: number;
  log: (line: string) => void;
}

export interface ScaleRunResult {
  instances: number;
  /** the machine's 1-minute load average when the measured phase began */
  loadAverage: number;
  seconds: number;
  answered: number;
  missing: number;
  /** answered messages a second */
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** messages the fake Graph API received a second */
  sentPerSecond: number;
  /** CPU seconds used during the measured phase */
  cpu: { instances: number[]; postgres: number; loadGenerator: number; fake: number };
  /** share of the machine's CPU time left idle during the measured phase */
  idleShare: number;
  /** the run database's backends, on average over the samples: running, and by what they waited on */
  backends: {
    active: number;
    idleInTransaction: number;
    /** what the active ones waited on (wait_event_type:wait_event) */
    waits: Record<string, number>;
    /** what the active ones ran (statementOf) */
    statements: Record<string, number>;
  };
  /** the database's transactions (pg_stat_database) per answered message: committed, rolled back */
  transactions: { committed: number; rolledBack: number };
}

export interface ScaleBenchResult {
  people: number;
  turnsPerPerson: number;
  mps: number;
  runs: ScaleRunResult[];
  /** median answered messages a second with 2 instances / with 1 */
  ratio: number;
  /** the same ratio of what their CPU costs allow (cpuPerMessage) */
  cpuRatio: number;
}

const WARM_PEOPLE = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Busy and idle time of the whole machine so far (/proc/stat), clock ticks. */
function machineTicks(): { busy: number; idle: number } {
  const [, ...fields] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = fields.map(Number);
  const idle = n[3] + n[4]; // idle + iowait
  return { busy: n.slice(0, 8).reduce((a, b) => a + b, 0) - idle, idle };
}

/** The PostgreSQL backends serving `database` (their command line names it), by pid. */
function backendsOf(database: string, except: number[]): number[] {
  return fs.readdirSync('/proc').flatMap((entry) => {
    const pid = Number(entry);
    if (!pid || except.includes(pid)) return [];
    try {
      if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') return [];
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${database} `) ? [pid] : [];
    } catch {
      return []; // gone, or not ours to read
    }
  });
}

const ticksOf = (pids: number[]) =>
  new Map(
    pids.flatMap((pid) => {
      try {
        return [[pid, cpuTicksOf(pid)] as const];
      } catch {
        return [];
      }
    }),
  );

/** A statement's kind and table, e.g. 'UPDATE "Message"', 'COMMIT', 'SELECT … FROM "BotState"'. */
function statementOf(sql: string): string {
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '?';
  const table = /(?:FROM|INTO|UPDATE)\s+(?:"public"\.)?("?\w+"?)/i.exec(sql)?.[1];
  return table ? `${verb} ${table}` : verb;
}

/** Samples pg_stat_activity of `database` every 100 ms until stopped. */
async function watchBackends(url: string, database: string) {
  const client = new Client({ connectionString: url });
  await client.connect();
  const own = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  let samples = 0;
  let active = 0;
  let idleInTransaction = 0;
  const waits: Record<string, number> = {};
  const statements: Record<string, number> = {};
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{ state: string; wait: string | null; query: string }>(
        `SELECT state, wait_event_type || ':' || wait_event AS wait, left(query, 200) AS query FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
        [database],
      );
      samples++;
      for (const { state, wait, query } of rows) {
        if (state === 'idle in transaction') idleInTransaction++;
        if (state !== 'active') continue;
        active++;
        const key = wait ?? 'CPU (no wait)';
        waits[key] = (waits[key] ?? 0) + 1;
        const statement = statementOf(query);
        statements[statement] = (statements[statement] ?? 0) + 1;
      }
      await sleep(100);
    }
  })();
  const transactions = async () =>
    (
      await client.query<{ committed: string; rolledBack: string }>(
        `SELECT xact_commit AS committed, xact_rollback AS "rolledBack" FROM pg_stat_database WHERE datname = $1`,
        [database],
      )
    ).rows[0];
  const before = await transactions();
  return {
    own,
    /** What the backends did meanwhile; the transactions per `answered` message. */
    async stop(answered: number): Promise<Pick<ScaleRunResult, 'backends' | 'transactions'>> {
      running = false;
      await loop;
      // (The statistics reach pg_stat_database within a second or so: PGSTAT_MIN_INTERVAL.)
      await sleep(1500);
      const after = await transactions();
      await client.end();
      const per = (n: number) => n / Math.max(1, samples);
      const delta = (k: 'committed' | 'rolledBack') => (Number(after[k]) - Number(before[k])) / Math.max(1, answered);
      return {
        backends: {
          active: per(active),
          idleInTransaction: per(idleInTransaction),
          waits: Object.fromEntries(Object.entries(waits).map(([k, n]) => [k, per(n)])),
          statements: Object.fromEntries(Object.entries(statements).map(([k, n]) => [k, per(n)])),
        },
        transactions: { committed: delta('committed'), rolledBack: delta('rolledBack') },
      };
    },
  };
}

async function runOnce(options: ScaleBenchOptions, instances: number): Promise<ScaleRunResult> {
  const say = (line: string) => options.log(`scale: ${instances} instance${instances > 1 ? 's' : ''}: ${line}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-bench-scale-'));
  const database = await tempDatabase('postgres', dir);
  const name = new URL(database.url).pathname.slice(1);
  const fake = new FakeGraphProcess();
  const servers: ServerProcess[] = [];
  try {
    say('seeding a fresh database');
    const { openDatabase } = await import('../bot/db/client');
    const { seedBench } = await import('./data');
    const seeding = await openDatabase(database.url);
    await seedBench(seeding.prisma);
    await seeding.close();
    await fake.start();
    for (let k = 0; k < instances; k++)
      servers.push(await ServerProcess.start(serverEnv(database.url, dir, fake.url, options.mps), options.log));
    const posts = servers.map((s) => webhookPoster(s.url));
    let next = 0;
    const post: WhatsAppServer['post'] = (body) => posts[next++ % posts.length](body);

    say(`warming up with ${WARM_PEOPLE} people`);
    const warm = await Promise.all(
      Array.from({ length: WARM_PEOPLE }, (_, k) =>
        talk(post, fake, `338${String(k).padStart(8, '0')}`, ['bonjour', ...script(k)]),
      ),
    );
    if (warm.includes(false)) throw new Error('warm-up: a question never came');
    await sleep(1000); // the warm-up's last replies and writes settle

    say(`${options.people} people at once, ${script(0).length + 1} messages each`);
    const watcher = await watchBackends(database.url, name);
    const pg = backendsOf(name, [watcher.own]);
    const pg0 = ticksOf(pg);
    const servers0 = servers.map((s) => s.cpuSeconds());
    const fake0 = cpuTicksOf(fake.pid!);
    const self0 = process.cpuUsage();
    const machine0 = machineTicks();
    const sent0 = fake.sentCount();
    const loadAverage = os.loadavg()[0];
    const turnMs: number[] = [];
    const t0 = performance.now();
    const done = await Promise.all(
      Array.from({ length: options.people }, (_, i) =>
        talk(post, fake, `339${String(i).padStart(8, '0')}`, ['bonjour', ...script(i)], 0, (ms) => turnMs.push(ms)),
      ),
    );
    const seconds = (performance.now() - t0) / 1000;
    const machine1 = machineTicks();
    const self = process.cpuUsage(self0);
    const sent = fake.sentCount() - sent0;
    const fakeTicks = cpuTicksOf(fake.pid!) - fake0;
    const instancesCpu = servers.map((s, k) => s.cpuSeconds() - servers0[k]);
    const pg1 = ticksOf(backendsOf(name, [watcher.own]));
    const pgTicks = [...pg1].reduce((sum, [pid, t]) => sum + t - (pg0.get(pid) ?? 0), 0);
    const activity = await watcher.stop(turnMs.length);
    const idle = machine1.idle - machine0.idle;
    const result: ScaleRunResult = {
      instances,
      loadAverage,
      seconds,
      answered: turnMs.length,
      missing: done.filter((ok) => !ok).length,
      perSecond: turnMs.length / seconds,
      ...stats(turnMs),
      sentPerSecond: sent / seconds,
      cpu: {
        instances: instancesCpu,
        postgres: pgTicks / ticksPerSecond(),
        loadGenerator: (self.user + self.system) / 1e6,
        fake: fakeTicks / ticksPerSecond(),
      },
      idleShare: idle / (idle + machine1.busy - machine0.busy),
      ...activity,
    };
    say(
      `${result.answered} answered in ${seconds.toFixed(1)} s (${result.perSecond.toFixed(0)}/s), p95 ` +
        `${result.p95Ms.toFixed(0)} ms, ${result.missing} people left without an answer`,
    );
    return result;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    fake.stop();
    await database.drop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function runScaleBench(options: ScaleBenchOptions): Promise<ScaleBenchResult> {
  const runs: ScaleRunResult[] = [];
  for (let round = 0; round < options.rounds; round++) {
    for (const instances of [1, 2]) runs.push(await runOnce(options, instances));
  }
  const of = (n: number, value: (r: ScaleRunResult) => number) =>
    median(runs.filter((r) => r.instances === n).map(value));
  const allows = (r: ScaleRunResult) => cpuPerMessage(r, os.cpus().length).allows;
  return {
    people: options.people,
    turnsPerPerson: script(0).length + 1,
    mps: options.mps,
    runs,
    ratio: of(2, (r) => r.perSecond) / of(1, (r) => r.perSecond),
    cpuRatio: of(2, allows) / of(1, allows),
  };
}

export function scaleFailures(r: ScaleBenchResult): number {
  return r.runs.reduce((n, run) => n + run.missing, 0);
}

/**
 * CPU ms per answered message: each instance, PostgreSQL, the load generator, the fake, all
 * together; and the most answered messages a second that CPU allows at those costs with nothing
 * else running: the machine's `cores` for all of it, and each instance's one thread for its share
 * (round robin: an equal share each, so the busiest instance sets the pace).
 */
export function cpuPerMessage(x: ScaleRunResult, cores: number) {
  const per = (seconds: number) => (1000 * seconds) / Math.max(1, x.answered);
  const instances = x.cpu.instances.map(per);
  const parts = { postgres: per(x.cpu.postgres), loadGenerator: per(x.cpu.loadGenerator), fake: per(x.cpu.fake) };
  const total = instances.reduce((a, b) => a + b, 0) + parts.postgres + parts.loadGenerator + parts.fake;
  return { instances, ...parts, total, allows: Math.min((1000 * cores) / total, 1000 / Math.max(...instances)) };
}

export function scaleReport(r: ScaleBenchResult): string[] {
  const fmt = (n: number, digits = 0) =>
    n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const cores = os.cpus().length;
  const name = (x: ScaleRunResult) => `${x.instances} instance${x.instances > 1 ? 's' : ' '}`.padEnd(12);
  const table = (columns: string[], cells: (x: ScaleRunResult) => string[]) => [
    `${'run'.padEnd(12)}${columns.map((h) => h.padStart(Math.max(h.length, 8) + 2)).join('')}`,
    ...r.runs.map(
      (x) =>
        name(x) +
        cells(x)
          .map((c, i) => c.padStart(Math.max(columns[i].length, 8) + 2))
          .join(''),
    ),
  ];
  const top = (counts: Record<string, number>) =>
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([k, n]) => `${k} ${fmt(n, 2)}`)
      .join(', ');
  return [
    '',
    `scale (PostgreSQL, ${cores} CPUs): ${fmt(r.people)} new people at once, ${r.turnsPerPerson} ` +
      `messages each, each answered as soon as its question arrives, after a warm-up of ${WARM_PEOPLE}; ` +
      `WHATSAPP_MPS=${fmt(r.mps)}; webhooks sent to the instances in turn (no proxy); a fresh database per run`,
    ...table(['seconds', 'answered/s', 'p50 ms', 'p95 ms', 'p99 ms', 'sent/s', 'idle', 'load avg'], (x) => [
      fmt(x.seconds, 1),
      fmt(x.perSecond),
      fmt(x.p50Ms),
      fmt(x.p95Ms),
      fmt(x.p99Ms),
      fmt(x.sentPerSecond),
      `${fmt(100 * x.idleShare)} %`,
      fmt(x.loadAverage, 1),
    ]),
    `CPU ms per answered message, and the answered messages a second that CPU allows at that cost with ` +
      `nothing else running (${cores} CPUs for all, one for each instance):`,
    ...table(['instances', 'PostgreSQL', 'load gen.', 'fake', 'total', 'CPU allows/s'], (x) => {
      const c = cpuPerMessage(x, cores);
      return [
        c.instances.map((n) => fmt(n, 2)).join(' + '),
        fmt(c.postgres, 2),
        fmt(c.loadGenerator, 2),
        fmt(c.fake, 2),
        fmt(c.total, 2),
        fmt(c.allows),
      ];
    }),
    ...r.runs.map(
      (x) =>
        `  ${name(x).trim()}: database backends on average ${fmt(x.backends.active, 2)} active (waiting: ` +
        `${top(x.backends.waits)}; running: ${top(x.backends.statements)}), ` +
        `${fmt(x.backends.idleInTransaction, 2)} idle in a transaction; transactions per answered message ` +
        `${fmt(x.transactions.committed, 1)} committed, ${fmt(x.transactions.rolledBack, 2)} rolled back`,
    ),
    `2 instances / 1: answered messages a second x${fmt(r.ratio, 2)} (target >= ${SCALE_TARGET.ratio}: ` +
      `${r.ratio >= SCALE_TARGET.ratio ? 'met' : 'NOT met'}); what their CPU costs allow: x${fmt(r.cpuRatio, 2)}` +
      `${r.runs.length > 2 ? ' (medians)' : ''}`,
    ...(scaleFailures(r) ? [`ERRORS: scale: ${scaleFailures(r)} people left without an answer`] : []),
  ];
}
