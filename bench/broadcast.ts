// A broadcast to N beneficiaries through the fake WhatsApp Graph API (DESIGN.md section 7):
// the real server runs in a process of its own (bench/server.ts: startApp as `npm start`,
// WHATSAPP_MPS=<mps>, QUIET_HOURS=off), the fake Graph API in another (fakeGraphServer.ts), this
// process seeds the database, signs in as a coordinator, posts the broadcast and watches.
//
// The database (a fresh one per run: an SQLite file in a temp folder, or a throw-away PostgreSQL
// database): the demo data, a session of the "paperwork" workshop for 25 and over in three days,
// and N beneficiaries: active, consented, born 1960-1995 (all of the session's age group), the 8
// languages in turn, distinct phones +337xxxxxxxx (the demo contacts are +33639980101..105), a
// first name of their language with a number (so each invitation is personal). None has written:
// each invitation goes by phone, as the approved template in the person's template language.
// The session has 30 seats: invitations are not bookings, capacity plays no part in sending them.
//
// Run 1 (no crash) measures:
// - enqueue: from the POST /api/cip/broadcasts request to its 201 (every row in the outbox);
// - drain: from the first to the last message the fake received, against the ideal N / mps, and
//   the most messages the fake received in any one second (the rate limit at work);
// - lost: recipients the fake never received a message for (must be 0), and the broadcast's
//   counts (GET /api/cip/broadcasts/:id) once nothing is queued: all sent, none failed;
// - duplicates: messages beyond the first to the same recipient (must be 0);
// - right text: each message compared with the template expected for that person (name, language
//   code, parameters filled in their template language: buildTemplate on the person's data);
// - the server's peak RSS (VmHWM of /proc/<pid>/status: the kernel's high-water mark of its
//   resident memory since it started, warm-up included) and its CPU time (utime + stime of
//   /proc/<pid>/stat) from the POST until the broadcast is settled.
// Run 2 (crash): the same on a fresh database; once 40 % of the messages have been received,
// the server gets kill -9, and is started again on the same database. Then lost must be 0 and
// duplicates no more than the sends in flight at the kill. Counted at the kill (the server is
// dead, so the database holds exactly the state it left):
// - claimed: the broadcast's outbox rows in status 'sending' (claimed by the dead process, their
//   outcome not recorded): each waiting for its token of the rate limit, or its request on the
//   way to the fake or being answered, or answered and its "sent" not yet committed;
// - in flight (the figure the target is about): those of the claimed rows whose message the fake
//   had received. These are the sends that reached Meta without their outcome being recorded:
//   after the claim's lease lapses they are sent again, and Meta takes no idempotency key, so they
//   are exactly the messages that may arrive twice. The others never left, and go once.
// - aborted at the fake: requests whose connection died before the fake answered them (with the
//   fake answering at once, almost always 0; with FAKE latency, those are among "in flight").
// Every duplicate must be one of the in-flight sends ("duplicates outside" counts the others).
import { type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIRST_NAMES } from './firstNames';
import { fakeGraphListening, serverEnv, spawnFakeGraph, whatsappSettings } from './fakeGraph';
import { ServerProcess, tempDatabase } from './serverProcess';

export interface BroadcastBenchOptions {
  /** beneficiaries, all invited */
  recipients: number;
  /** WHATSAPP_MPS of the server */
  mps: number;
  /** also run the kill -9 and restart */
  crash: boolean;
  db: 'sqlite' | 'postgres';
  /** the fake Graph API's answer time, ms (0: at once) */
  latencyMs: number;
  /** the share of messages received at which the server is killed */
  killAt: number;
  log: (line: string) => void;
}

export interface BroadcastRunResult {
  crash: boolean;
  invited: number;
  enqueueSeconds: number;
  /** first to last message received by the fake */
  drainSeconds: number;
  /** N / mps */
  idealSeconds: number;
  /** drainSeconds / idealSeconds - 1 */
  drainDeviation: number;
  /** (messages - 1) / drain */
  ratePerSecond: number;
  /** most messages received in any 1-second window */
  peakPerSecond: number;
  /** from the POST to the last message received */
  postToLastSeconds: number;
  /** messages the fake received in all */
  received: number;
  lost: number;
  duplicates: number;
  /** messages that differ from the template expected for their person */
  wrongText: number;
  firstWrongText?: string;
  counts: Record<string, unknown>;
  kill?: {
    /** messages received when the kill was given */
    receivedAtKill: number;
    claimed: number;
    inFlight: number;
    abortedAtFake: number;
    duplicatesOutside: number;
    /** from the kill to the restarted server listening */
    restartSeconds: number;
  };
  /** RSS after sign-in, before the broadcast */
  idleRssMb: number;
  peakRssMb: number;
  cpuSeconds: number;
  cpuMsPerMessage: number;
}

export interface BroadcastBenchResult {
  recipients: number;
  mps: number;
  db: 'sqlite' | 'postgres';
  latencyMs: number;
  run: BroadcastRunResult;
  crash?: BroadcastRunResult;
  targets: { enqueue: boolean; drain: boolean; lost: boolean; duplicates: boolean; rss: boolean };
}

export const BROADCAST_TARGET = { enqueueSeconds: 2, drainDeviation: 0.05, rssMb: 300 };

const TIME_ZONE = 'Europe/Paris';
const LEASE_SECONDS = 10;
const LANGUAGES = ['fr', 'en', 'ar', 'fa', 'ps', 'ti', 'ru', 'uk'] as const;
const STAFF_EMAIL = 'bench-coordinator@passerelle.test';
const STAFF_PASSWORD = 'bench password 2024';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const epoch = () => performance.timeOrigin + performance.now();

/** The fake Graph API's process: what each recipient received, when, and whether it was right. */
class FakeGraph {
  private readonly child: ChildProcess;
  readonly perRecipient = new Map<string, number>();
  readonly times: number[] = [];
  readonly aborted: number[] = [];
  wrongText = 0;
  firstWrongText?: string;
  url = '';
  private listeners = new Set<() => void>();

  constructor(
    latencyMs: number,
    /** the exact message expected by each recipient (JSON of the template) */
    private readonly expected: Map<string, string>,
  ) {
    this.child = spawnFakeGraph({ FAKE_TRACE: '1', FAKE_LATENCY_MS: String(latencyMs) });
  }

  async start(): Promise<void> {
    this.url = await fakeGraphListening(this.child, (line) => {
      if (line.startsWith('sent ')) this.sent(line);
      else if (line.startsWith('aborted ')) this.aborted.push(Number(line.slice('aborted '.length)));
      for (const l of this.listeners) l();
    });
  }

  private sent(line: string) {
    // "sent <to> <at> <type> <json>"
    const a = line.indexOf(' ', 5);
    const b = line.indexOf(' ', a + 1);
    const c = line.indexOf(' ', b + 1);
    const to = line.slice(5, a);
    this.times.push(Number(line.slice(a + 1, b)));
    this.perRecipient.set(to, (this.perRecipient.get(to) ?? 0) + 1);
    const body = c < 0 ? '' : line.slice(c + 1);
    if (body !== this.expected.get(to)) {
      this.wrongText++;
      this.firstWrongText ??= `to ${to}: got ${body.slice(0, 400)}, expected ${this.expected.get(to)?.slice(0, 400)}`;
    }
  }

  get received(): number {
    return this.times.length;
  }

  /** Resolves when `done()` holds (checked as messages arrive), false after `timeoutMs`. */
  until(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!done()) return;
        finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(ok);
      };
      this.listeners.add(check);
    });
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}

interface Seeded {
  sessionId: number;
  people: { to: string; expected: string }[];
}

/** A fresh database: the demo data, the session, N beneficiaries, a coordinator (raw SQL: fast). */
async function seed(url: string, n: number, now: Date): Promise<Seeded> {
  const { openDatabase } = await import('../bot/db/client');
  const { dbTimestamp, insertFromJson } = await import('../bot/db/jsonRows');
  const { seedDemoData } = await import('../prisma/seed');
  const { createStaff } = await import('../bot/services/staff');
  const { loadConfig } = await import('../bot/runtime/config');
  const { buildTemplate } = await import('../bot/channels/whatsapp/templates');
  const { templates } = loadConfig({
    DATABASE_URL: url,
    ...whatsappSettings(),
  }).whatsapp!;

  const db = await openDatabase(url);
  try {
    await seedDemoData(db.prisma, { now, timeZone: TIME_ZONE });
    const workshop = await db.prisma.workshop.findFirstOrThrow({ where: { code: 'paperwork' } });
    const startsAt = new Date(Math.ceil((now.getTime() + 72 * 3600_000) / 3600_000) * 3600_000);
    const session = await db.prisma.workshopSession.create({
      data: {
        workshopId: workshop.id,
        startsAt,
        endsAt: new Date(startsAt.getTime() + 2 * 3600_000),
        place: 'Passerelle, 3 rue des Écoles, Blois',
        capacity: 30,
        audience: 'over25',
      },
    });
    const { staff } = await createStaff(db.prisma, {
      email: STAFF_EMAIL,
      role: 'coordinator',
      name: 'Bench coordinator',
    });
    const { hashPassword } = await import('../bot/services/staff');
    // A known password, already changed (the one-time password would have to be replaced first).
    await db.prisma.staffUser.update({
      where: { id: staff.id },
      data: { passwordHash: await hashPassword(STAFF_PASSWORD), mustChangePassword: false },
    });

    const stamp = dbTimestamp(now);
    const columns = {
      firstName: 'text',
      phone: 'text',
      language: 'text',
      birthYear: 'int',
      stage: 'text',
      status: 'text',
      consentAt: 'timestamp',
      createdAt: 'timestamp',
      updatedAt: 'timestamp',
    } as const;
    const payload = {
      key: 'broadcasts.invitation',
      session: {
        id: session.id,
        workshopCode: workshop.code,
        title: workshop.title,
        startsAt: session.startsAt.toISOString(),
        endsAt: session.endsAt.toISOString(),
        place: session.place,
      },
    };
    const people: Seeded['people'] = [];
    for (let i = 0; i < n; i += 5000) {
      const rows = Array.from({ length: Math.min(5000, n - i) }, (_, k) => {
        const j = i + k;
        const language = LANGUAGES[j % LANGUAGES.length];
        const to = `337${String(j).padStart(8, '0')}`;
        const firstName = `${FIRST_NAMES[language]} ${j}`;
        const built = buildTemplate(
          templates.workshop_invitation!,
          'workshop_invitation',
          language,
          { ...payload, person: { firstName } },
          TIME_ZONE,
        );
        people.push({ to, expected: JSON.stringify(built.message.template) });
        return {
          firstName,
          phone: `+${to}`,
          language,
          birthYear: 1960 + (j % 36),
          stage: 'diagnostic',
          status: 'active',
          consentAt: stamp,
          createdAt: stamp,
          updatedAt: stamp,
        };
      });
      await db.prisma.$executeRawUnsafe(insertFromJson(db.provider, 'Beneficiary', columns), JSON.stringify(rows));
    }
    return { sessionId: session.id, people };
  } finally {
    await db.close();
  }
}

async function call(
  base: string,
  method: string,
  route: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: {
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
      ...(token && { Authorization: `Bearer ${token}` }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function signIn(base: string): Promise<string> {
  const res = await call(base, 'POST', '/api/cip/session', { email: STAFF_EMAIL, password: STAFF_PASSWORD });
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}

/** The most values in any window of `width` (values sorted). */
function peakInWindow(sorted: number[], width: number): number {
  let best = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j] - sorted[i] >= width) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

async function runOnce(options: BroadcastBenchOptions, crash: boolean): Promise<BroadcastRunResult> {
  const { recipients: n, mps, log } = options;
  const label = crash ? 'broadcast (kill -9)' : 'broadcast';
  const say = (line: string) => log(`${label}: ${line}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-bench-bc-'));
  const database = await tempDatabase(options.db, dir);
  let server: ServerProcess | undefined;
  let fake: FakeGraph | undefined;
  try {
    say(`seeding ${n.toLocaleString('en-US')} beneficiaries (${options.db})`);
    const seeded = await seed(database.url, n, new Date());
    fake = new FakeGraph(options.latencyMs, new Map(seeded.people.map((p) => [p.to, p.expected])));
    await fake.start();
    const env = {
      ...serverEnv(database.url, dir, fake.url, mps),
      APP_TIMEZONE: TIME_ZONE,
      // A short lease, so that the sends the killed server had claimed go again soon after the restart.
      WHATSAPP_SEND_LEASE_SECONDS: String(LEASE_SECONDS),
    };
    say('starting the server');
    server = await ServerProcess.start(env, log);
    const token = await signIn(server.url);
    await sleep(500);
    const idleRssMb = server.rssMb();
    const cpu0 = server.cpuSeconds();

    say(`POST /api/cip/broadcasts to all (${n.toLocaleString('en-US')})`);
    const posted = epoch();
    const res = await call(
      server.url,
      'POST',
      '/api/cip/broadcasts',
      { sessionId: seeded.sessionId, audience: { all: true }, idempotencyKey: `bench-broadcast-${Date.now()}` },
      token,
    );
    const enqueueSeconds = (epoch() - posted) / 1000;
    if (res.status !== 201) throw new Error(`the broadcast answered ${res.status}: ${JSON.stringify(res.body)}`);
    const broadcastId = res.body.broadcastId as number;
    say(`enqueued in ${enqueueSeconds.toFixed(2)} s: ${res.body.invited} invited, ${res.body.skipped} skipped`);
    const ideal = n / mps;
    const patience = Math.max(60_000, 3 * ideal * 1000) + LEASE_SECONDS * 1000;

    let kill: BroadcastRunResult['kill'];
    let inFlightSet: Set<string> | undefined;
    let peakRssMb = 0;
    let cpuSeconds = 0;
    let cpuBase = cpu0;
    if (crash) {
      await fake.until(() => fake!.received >= options.killAt * n, patience);
      const receivedAtKill = fake.received;
      peakRssMb = server.peakRssMb();
      cpuSeconds += server.cpuSeconds() - cpuBase;
      await server.kill9();
      const killedAt = epoch();
      say(`kill -9 after ${receivedAtKill.toLocaleString('en-US')} messages received`);
      // The dead server writes nothing more: the database holds the state at the kill.
      const { openDatabase } = await import('../bot/db/client');
      const db = await openDatabase(database.url, { migrate: false });
      let claimed: string[];
      try {
        const rows = await db.prisma.message.findMany({
          where: { broadcastId, status: 'sending' },
          select: { conversationId: true },
        });
        claimed = rows.map((r) => r.conversationId!);
      } finally {
        await db.close();
      }
      // Messages the fake received before the kill whose lines are still on their way (and, with
      // latency, requests it was answering: Meta sends those too).
      await sleep(options.latencyMs + 500);
      const atKill = new Map(fake.perRecipient);
      inFlightSet = new Set(claimed.filter((to) => atKill.has(to)));
      const abortedAtFake = fake.aborted.length;
      say(
        `at the kill: ${claimed.length} claimed ('sending'), ${inFlightSet.size} of them received by the fake (in ` +
          `flight); restarting`,
      );
      server = await ServerProcess.start(env, log);
      const restartSeconds = (epoch() - killedAt) / 1000;
      peakRssMb = Math.max(peakRssMb, server.peakRssMb());
      cpuBase = server.cpuSeconds(); // the CPU of the broadcast, not of the restart
      kill = {
        receivedAtKill,
        claimed: claimed.length,
        inFlight: inFlightSet.size,
        abortedAtFake,
        duplicatesOutside: 0,
        restartSeconds,
      };
    }

    const all = await fake.until(() => fake!.perRecipient.size >= n, patience);
    if (!all) say(`timed out: ${fake.perRecipient.size} of ${n} recipients reached`);
    // Settled: nothing queued or being sent (the killed server's claims lapsed and went again).
    const token2 = crash ? await signIn(server.url) : token;
    let counts: Record<string, number> = {};
    const settleBy = Date.now() + patience;
    for (;;) {
      counts = (await call(server.url, 'GET', `/api/cip/broadcasts/${broadcastId}?limit=1`, undefined, token2)).body
        .counts;
      if (counts.queued === 0 || Date.now() > settleBy) break;
      await sleep(200);
    }
    const settledCpu = server.cpuSeconds();
    await sleep(1000); // time for a late duplicate to show
    cpuSeconds += settledCpu - cpuBase;
    peakRssMb = Math.max(peakRssMb, server.peakRssMb());
    await server.stop();
    server = undefined;

    const times = [...fake.times].sort((a, b) => a - b);
    const drainSeconds = times.length > 1 ? (times[times.length - 1] - times[0]) / 1000 : 0;
    let duplicates = 0;
    let duplicatesOutside = 0;
    for (const [to, count] of fake.perRecipient) {
      if (count <= 1) continue;
      duplicates += count - 1;
      if (!inFlightSet?.has(to)) duplicatesOutside += count - 1;
    }
    if (kill) kill.duplicatesOutside = duplicatesOutside;
    const lost = seeded.people.filter((p) => !fake!.perRecipient.has(p.to)).length;
    const result: BroadcastRunResult = {
      crash,
      invited: res.body.invited,
      enqueueSeconds,
      drainSeconds,
      idealSeconds: ideal,
      drainDeviation: drainSeconds / ideal - 1,
      ratePerSecond: drainSeconds ? (times.length - 1) / drainSeconds : 0,
      peakPerSecond: peakInWindow(times, 1000),
      postToLastSeconds: times.length ? (times[times.length - 1] - posted) / 1000 : 0,
      received: times.length,
      lost,
      duplicates,
      wrongText: fake.wrongText,
      ...(fake.firstWrongText && { firstWrongText: fake.firstWrongText }),
      counts,
      ...(kill && { kill }),
      idleRssMb,
      peakRssMb,
      cpuSeconds,
      cpuMsPerMessage: (cpuSeconds * 1000) / Math.max(1, times.length),
    };
    say(
      `done: ${times.length} messages to ${fake.perRecipient.size} recipients, drain ${drainSeconds.toFixed(2)} s ` +
        `(ideal ${ideal.toFixed(2)} s), ${lost} lost, ${duplicates} duplicates`,
    );
    return result;
  } finally {
    await server?.kill9();
    fake?.stop();
    await database.drop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function runBroadcastBench(options: BroadcastBenchOptions): Promise<BroadcastBenchResult> {
  const run = await runOnce(options, false);
  const crash = options.crash ? await runOnce(options, true) : undefined;
  const ok = (r: BroadcastRunResult) =>
    r.lost === 0 &&
    r.counts.sent === options.recipients &&
    r.counts.failed === 0 &&
    r.counts.queued === 0 &&
    r.wrongText === 0;
  return {
    recipients: options.recipients,
    mps: options.mps,
    db: options.db,
    latencyMs: options.latencyMs,
    run,
    crash,
    targets: {
      enqueue: run.enqueueSeconds < BROADCAST_TARGET.enqueueSeconds,
      drain: Math.abs(run.drainDeviation) <= BROADCAST_TARGET.drainDeviation,
      lost: ok(run) && (!crash || ok(crash)),
      duplicates:
        run.duplicates === 0 &&
        (!crash || (crash.duplicates <= crash.kill!.inFlight && crash.kill!.duplicatesOutside === 0)),
      rss: Math.max(run.peakRssMb, crash?.peakRssMb ?? 0) < BROADCAST_TARGET.rssMb,
    },
  };
}
