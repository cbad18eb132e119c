// The public web chat under a flood: the real server in a process of its own (bench/server.ts, a
// fresh SQLite file with the demo data), on loopback only, behind a pretend reverse proxy
// (TRUST_PROXY=127.0.0.1: each simulated client has its own X-Forwarded-For address).
//   1. baseline: N people (default 50, each from their own address) talk to the bot, a message
//      every 1.1 s or so (within the 60 a minute per address), for T turns each: the time from the
//      POST to the bot's reply read back; and again for T turns after the flood (3.). The baseline
//      is both quiet phases together: one phase's p95 alone moved by up to 30 % from run to run,
//      with no flood at all (the machine drifts), and the flood is measured between the two;
//   2. flood: the same people go on (T turns at least, and for as long as the flood lasts) while a
//      few attacker addresses send P large posts (about 29 KB each, near the 32 KB a post may
//      have: 4,096 characters of text, channelData, entities, foreign attachments) and K token
//      requests, many at once, as fast as they go (or at --flood-rate a second). Only the people's
//      turns begun while the flood ran count against the baseline. The rate limits (per address),
//      what is kept of a post and the byte caps decide what it costs: the people's p95 against the
//      baseline, and the server's RSS growth (its resident memory at the peak of the flood against
//      before it).
//   3. after: once the flood is over, the people talk on for T turns (the second half of the baseline).
// The flood runs in a process of its own at the lowest CPU priority (nice 19), with a lean HTTP
// client: the attackers' machines are not ours, so their load generator must take as little of
// the server's and the people's CPU as it can (with fetch it took most of a core, and the people's
// times measured the load generator). Bounded: a fixed number of requests, each with a timeout,
// and the flood stops after 60 s whatever is left ("unsent"). An address that keeps sending after
// its refusals has them held half a second (bot/http/slowRefusals.ts), so the flood lasts about
// 40 s, not 2: the turns begun in its first seconds are reported apart.
// BENCH_PROFILE_DIR=<dir> makes the server write a CPU profile there (to see where the time goes).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { eachLine } from './lines';
import { serverFlags } from './nodeFlags';

export interface FloodBenchOptions {
  /** people talking normally (each with their own address) */
  people: number;
  /** measured turns per person, in each phase */
  turns: number;
  /** large posts of the flood */
  posts: number;
  /** token requests of the flood */
  tokens: number;
  /** addresses the flood comes from */
  attackers: number;
  /** requests of the flood in flight at once */
  inFlight: number;
  /** requests of the flood a second, posts and token requests together (0: as fast as they go) */
  rate: number;
  log: (line: string) => void;
}

export interface FloodBenchResult {
  people: number;
  turns: number;
  /** the quiet phases together: before the flood and after it */
  baseline: Summary;
  before: Summary;
  after: Summary;
  /** the people's turns that began while the flood ran */
  flood: {
    p50Ms: number;
    p95Ms: number;
    missing: number;
    turns: number;
    /** the people's phase, and the flood's own requests (a part of it) */
    seconds: number;
    floodSeconds: number;
    /** the turns begun in the flood's first seconds, when what the limits let in runs */
    firstSeconds: { p50Ms: number; p95Ms: number; turns: number };
    /** the turns begun after them */
    rest: { p50Ms: number; p95Ms: number; turns: number };
    /** the load generator's CPU (share of one core) while it flooded */
    attackerCpuShare: number;
    posts: Record<string, number>;
    tokens: Record<string, number>;
  };
  rss: { beforeMb: number; peakMb: number; growthMb: number; afterMb: number };
  /** the server's CPU use (share of one core) in each phase, and its cost per request of the flood */
  cpu: { baselineShare: number; floodShare: number; msPerFloodRequest: number };
  /** a new visitor, after the flood, got a token and an answer */
  newVisitorAnswered: boolean;
  targets: { rss: boolean; p95: boolean };
}

export const FLOOD_TARGET = { rssGrowthMb: 100, p95Ratio: 1.2 };

interface Summary {
  p50Ms: number;
  p95Ms: number;
  missing: number;
  turns: number;
}

/** What a person writes, over and over: the language list, back to the menu, help, the menu. */
const SCRIPT = ['6', '0', 'aide', 'menu'];
/** a person's pause between turns: with the turn, more than a second (within 60 posts a minute an address) */
const THINK_MS = 1_100;
/** the flood stops sending after this long, whatever is left (the run stays bounded on a busy machine) */
const FLOOD_DEADLINE_MS = 60_000;
/** the flood's first seconds, reported apart: the requests each address's burst lets in run then */
export const FIRST_SECONDS = 3;

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The server in its own process, its resident memory sampled from /proc. */
class Server {
  private peakKb = 0;
  /** [epoch ms, CPU seconds so far], every 50 ms */
  private readonly cpuSamples: [number, number][] = [];
  private readonly sampler: NodeJS.Timeout;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.sampler = setInterval(() => {
      this.rssMb();
      this.cpuSamples.push([Date.now(), this.cpuSeconds()]);
    }, 50);
  }

  static start(env: Record<string, string>): Promise<Server> {
    // BENCH_PROFILE_DIR=<dir>: the server writes a CPU profile there when it stops (to see where a flood's time goes)
    const profile = process.env.BENCH_PROFILE_DIR
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
      : [];
    const child = spawn(process.execPath, [...serverFlags(), ...profile, path.join(__dirname, 'server.js')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Promise((resolve, reject) => {
      let err = '';
      child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
      eachLine(child.stdout!, (line) => {
        const match = /^listening (\S+)/.exec(line);
        if (match) resolve(new Server(child, match[1]));
      });
      child.once('exit', (code) =>
        reject(new Error(`the server exited (${code}) before listening: ${err.slice(-2000)}`)),
      );
    });
  }

  /** Resident memory now, MB; also keeps the peak since the last resetPeak(). */
  rssMb(): number {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${this.child.pid}/status`, 'utf8'))?.[1] ?? 0);
      this.peakKb = Math.max(this.peakKb, kb);
      return kb / 1024;
    } catch {
      return 0;
    }
  }

  /** CPU time the server has used so far (user + system), seconds */
  cpuSeconds(): number {
    try {
      const stat = fs.readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks (USER_HZ, 100 on Linux)
    } catch {
      return 0;
    }
  }

  /** CPU seconds the server used between two moments (epoch ms), from the nearest samples */
  cpuBetween(from: number, to: number): number {
    const at = (t: number) =>
      (this.cpuSamples.find(([when]) => when >= t) ?? this.cpuSamples[this.cpuSamples.length - 1])?.[1] ?? 0;
    return at(to) - at(from);
  }

  resetPeak(): void {
    this.peakKb = 0;
    this.rssMb();
  }

  peakMb(): number {
    this.rssMb();
    return this.peakKb / 1024;
  }

  async stop(): Promise<void> {
    clearInterval(this.sampler);
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}

interface Visitor {
  ip: string;
  conversationId: string;
  token: string;
  watermark: string;
}

function client(url: string) {
  const request = async (method: string, route: string, ip: string, body?: string, token?: string) => {
    const res = await fetch(`${url}${route}`, {
      method,
      headers: {
        'X-Forwarded-For': ip,
        ...(token && { Authorization: `Bearer ${token}` }),
        ...(body !== undefined && { 'Content-Type': 'application/json' }),
      },
      body,
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    return { status: res.status, body: text };
  };

  async function visit(ip: string): Promise<Visitor> {
    const user = `wc_flood_${ip.replace(/\W/g, '_')}_${Math.random().toString(36).slice(2, 10)}`;
    const token = await request(
      'POST',
      '/v3/directline/tokens/generate',
      ip,
      JSON.stringify({ user: { id: user }, locale: 'fr-FR' }),
    );
    if (token.status !== 200) throw new Error(`token: ${token.status} ${token.body.slice(0, 200)}`);
    const { conversationId, token: t } = JSON.parse(token.body) as { conversationId: string; token: string };
    const started = await request('POST', '/v3/directline/conversations', ip, '{}', t);
    if (started.status >= 300) throw new Error(`start: ${started.status}`);
    const visitor = { ip, conversationId, token: t, watermark: '0' };
    await read(visitor);
    return visitor;
  }

  /** The activities after the visitor's watermark (a long poll: it waits for news). */
  async function read(v: Visitor): Promise<{ role?: string; type: string }[]> {
    const res = await request(
      'GET',
      `/v3/directline/conversations/${v.conversationId}/activities?watermark=${v.watermark}`,
      v.ip,
      undefined,
      v.token,
    );
    if (res.status !== 200) return [];
    const { activities, watermark } = JSON.parse(res.body) as {
      activities: { from: { role?: string }; type: string }[];
      watermark: string;
    };
    v.watermark = watermark;
    return activities.map((a) => ({ role: a.from.role, type: a.type }));
  }

  /** Sends a message; the time until the bot's reply is read back, or undefined if none came. */
  async function turn(v: Visitor, text: string): Promise<number | undefined> {
    const started = performance.now();
    const res = await request(
      'POST',
      `/v3/directline/conversations/${v.conversationId}/activities`,
      v.ip,
      JSON.stringify({ type: 'message', text, locale: 'fr-FR', from: { id: 'x' } }),
      v.token,
    );
    if (res.status !== 200) return undefined;
    // The POST returns once the turn ran; its replies are there to read.
    for (let i = 0; i < 3; i++) {
      const got = await read(v);
      if (got.some((a) => a.role === 'bot' && a.type === 'message')) return performance.now() - started;
    }
    return undefined;
  }

  return { request, visit, turn };
}

type Client = ReturnType<typeof client>;

/** The command prefix that starts a process, all its threads, at the lowest CPU priority there is. */
function lowestPriority(): string[] {
  const has = (file: string) => fs.existsSync(file);
  if (has('/usr/bin/chrt')) return ['/usr/bin/chrt', '--idle', '0'];
  if (has('/usr/bin/nice')) return ['/usr/bin/nice', '-n', '19'];
  return [];
}

/** A person's turn: when it started (epoch ms) and how long until the reply was read (none: unanswered). */
interface Turn {
  at: number;
  ms?: number;
}

/**
 * Every person takes `turns` turns, one after another with a short pause, and goes on while
 * `more()` says so (the people talk for as long as the flood lasts).
 */
async function converse(
  c: Client,
  people: Visitor[],
  turns: number,
  from: number,
  more: () => boolean = () => false,
): Promise<Turn[]> {
  const done: Turn[] = [];
  await Promise.all(
    people.map(async (v, who) => {
      await sleep((who * THINK_MS) / people.length); // not all in step
      for (let i = 0; i < turns || more(); i++) {
        const at = Date.now();
        done.push({ at, ms: await c.turn(v, SCRIPT[(from + i) % SCRIPT.length]) });
        await sleep(THINK_MS);
      }
    }),
  );
  return done;
}

function summary(turns: Turn[]): Summary {
  const times = turns.flatMap((t) => (t.ms === undefined ? [] : [t.ms]));
  return {
    p50Ms: percentile(times, 50),
    p95Ms: percentile(times, 95),
    missing: turns.length - times.length,
    turns: turns.length,
  };
}

/** A large post (under the 32 KB limit, so that it is read): what an attacker would like the server to keep. */
function floodBody(n: number): string {
  return JSON.stringify({
    type: 'message',
    text: 'ж'.repeat(4_090),
    locale: 'fr-FR',
    channelData: { clientActivityID: `flood-${n}`, junk: 'j'.repeat(16_000) },
    entities: [{ type: 'junk', data: 'e'.repeat(3_000) }],
    attachments: [
      {
        contentType: 'image/png',
        contentUrl: `https://attacker.example/${'a'.repeat(1_000)}.png`,
        name: 'n'.repeat(500),
      },
    ],
    value: { x: 1 },
  });
}

/**
 * Runs `count` requests, `inFlight` at once, `rate` a second at most (0: no pace), until the
 * deadline; counts their statuses ("unsent" past the deadline).
 */
async function flood(
  count: number,
  inFlight: number,
  rate: number,
  send: (n: number) => Promise<number>,
): Promise<Record<string, number>> {
  const statuses: Record<string, number> = {};
  const start = performance.now();
  const deadline = start + FLOOD_DEADLINE_MS;
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count && performance.now() < deadline) {
        const n = next++;
        const due = rate > 0 ? start + (1000 * n) / rate : 0;
        if (due > performance.now()) await sleep(due - performance.now());
        const status = await send(n).catch(() => 0);
        statuses[status || 'failed'] = (statuses[status || 'failed'] ?? 0) + 1;
      }
    }),
  );
  if (next < count) statuses.unsent = count - next;
  return statuses;
}

export async function runFloodBench(options: FloodBenchOptions): Promise<FloodBenchResult> {
  const { log } = options;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-flood-'));
  log('flood: starting the server (SQLite, demo data)');
  const server = await Server.start({
    DATABASE_URL: `file:${path.join(dir, 'flood.db')}`,
    MEDIA_DIR: path.join(dir, 'media'),
    HOST: '127.0.0.1',
    PORT: '0',
    TRUST_PROXY: '127.0.0.1',
    DEMO_DATA: 'on',
    QUIET_HOURS: 'off',
    LOG_LEVEL: 'error',
  });
  try {
    const c = client(server.url);
    const people: Visitor[] = [];
    for (let i = 0; i < options.people; i++) people.push(await c.visit(`10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`));
    log(`flood: ${people.length} people in; warming up`);
    // (As long as a measured phase: JIT and caches settle; a shorter one made the baseline slower than the second
    // phase.)
    await converse(c, people, Math.max(SCRIPT.length, options.turns), 0);

    log(`flood: baseline, ${options.people} people x ${options.turns} turns`);
    const cpu0 = server.cpuSeconds();
    const t0 = performance.now();
    const baseline = await converse(c, people, options.turns, 0);
    const baselineCpu = { seconds: (performance.now() - t0) / 1000, cpu: server.cpuSeconds() - cpu0 };
    await sleep(300);
    const beforeMb = server.rssMb();
    server.resetPeak();

    log(
      `flood: ${options.posts} large posts and ${options.tokens} token requests from ${options.attackers} ` +
        `addresses, ${options.inFlight} in flight, while the people go on`,
    );
    const started = performance.now();
    // Every thread of the attackers' process at the lowest priority (os.setPriority would lower its
    // main thread only, not libuv's and V8's): SCHED_IDLE where chrt exists, else nice 19.
    const [command, ...args] = lowestPriority();
    const attacker = spawn(command, [...args, process.execPath, __filename], {
      env: { ...process.env, BENCH_FLOOD_ATTACK: JSON.stringify({ url: server.url, ...options, log: undefined }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let floodOver = false;
    const flooding = new Promise<AttackResult>((resolve, reject) => {
      eachLine(attacker.stdout!, (line) => resolve(JSON.parse(line)));
      attacker.once('exit', (code) => reject(new Error(`the attackers' process ended (${code}) without a result`)));
    }).finally(() => (floodOver = true));
    const all = await converse(c, people, options.turns, options.turns, () => !floodOver);
    const { posts, tokens, startedAt, endedAt, cpuSeconds: attackerCpu } = await flooding;
    // Only the turns that began while the flood ran count as "during" it.
    const during = all.filter((t) => t.at >= startedAt && t.at <= endedAt);
    const seconds = (performance.now() - started) / 1000;
    const peakMb = server.peakMb();
    await sleep(500);
    const afterMb = server.rssMb();

    log(`flood: over; the people go on for ${options.turns} turns (the baseline's second half)`);
    const after = await converse(c, people, options.turns, 2 * options.turns);

    // A new visitor after the flood, from an address of their own: let in and answered.
    let newVisitorAnswered = false;
    try {
      newVisitorAnswered = (await c.turn(await c.visit('10.9.9.9'), 'menu')) !== undefined;
    } catch {
      newVisitorAnswered = false;
    }

    const floodSeconds = (endedAt - startedAt) / 1000;
    const floodWindowCpu = server.cpuBetween(startedAt, endedAt);
    const baselineShare = baselineCpu.cpu / baselineCpu.seconds;
    const result: FloodBenchResult = {
      people: options.people,
      turns: options.turns,
      baseline: summary([...baseline, ...after]),
      before: summary(baseline),
      after: summary(after),
      flood: {
        ...summary(during),
        seconds,
        floodSeconds,
        firstSeconds: summary(during.filter((t) => t.at <= startedAt + FIRST_SECONDS * 1000)),
        rest: summary(during.filter((t) => t.at > startedAt + FIRST_SECONDS * 1000)),
        posts,
        tokens,
        attackerCpuShare: attackerCpu / Math.max(0.001, floodSeconds),
      },
      rss: { beforeMb, peakMb, growthMb: peakMb - beforeMb, afterMb },
      cpu: {
        baselineShare,
        floodShare: floodWindowCpu / Math.max(0.001, floodSeconds),
        // what the flood added, beyond the people's own turns at the baseline's pace
        msPerFloodRequest:
          (1000 * Math.max(0, floodWindowCpu - baselineShare * floodSeconds)) /
          Math.max(1, options.posts + options.tokens),
      },
      newVisitorAnswered,
      targets: { rss: false, p95: false },
    };
    result.targets = {
      rss: result.rss.growthMb < FLOOD_TARGET.rssGrowthMb,
      p95: result.flood.p95Ms <= FLOOD_TARGET.p95Ratio * result.baseline.p95Ms,
    };
    return result;
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A lean client for the attackers: node:http over kept-alive connections (fetch costs several
 * times the CPU a request, and on this machine the load generator's CPU is taken from the server
 * and the people). The server sees the same requests; it may still close a connection.
 */
function leanRequester(url: string, inFlight: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
  return (method: string, route: string, ip: string, body: string, token?: string) =>
    new Promise<number>((resolve) => {
      const req = http.request(
        `${url}${route}`,
        {
          method,
          agent,
          timeout: 20_000,
          headers: {
            'X-Forwarded-For': ip,
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
            ...(token && { Authorization: `Bearer ${token}` }),
          },
        },
        (res) => {
          res.resume();
          res.once('end', () => resolve(res.statusCode ?? 0));
          res.once('error', () => resolve(0));
        },
      );
      req.once('timeout', () => req.destroy());
      req.once('error', () => resolve(0));
      req.end(body);
    });
}

interface AttackResult {
  posts: Record<string, number>;
  tokens: Record<string, number>;
  /** epoch ms of the flood's first request and of its last answer */
  startedAt: number;
  endedAt: number;
  cpuSeconds: number;
}

/** The attackers (in their own process): their posts and token requests, as many at once as asked. */
async function attack(o: Omit<FloodBenchOptions, 'log'> & { url: string }): Promise<AttackResult> {
  const c = client(o.url);
  const send = leanRequester(o.url, o.inFlight * 2);
  const attackerIp = (n: number) => `203.0.113.${(n % o.attackers) + 1}`;
  const attackers: Visitor[] = [];
  for (let i = 0; i < o.attackers; i++) attackers.push(await c.visit(attackerIp(i)));
  const body = Array.from({ length: 4 }, (_, i) => floodBody(i)); // the same few bodies: the load generator stays small
  const share = (n: number) => n / Math.max(1, o.posts + o.tokens); // the pace, split between the two kinds
  const startedAt = Date.now();
  const cpu = process.cpuUsage();
  const [posts, tokens] = await Promise.all([
    flood(o.posts, o.inFlight, o.rate * share(o.posts), async (n) => {
      const v = attackers[n % attackers.length];
      return send(
        'POST',
        `/v3/directline/conversations/${v.conversationId}/activities`,
        v.ip,
        body[n % body.length],
        v.token,
      );
    }),
    flood(o.tokens, Math.max(1, o.inFlight / 2), o.rate * share(o.tokens), (n) =>
      send('POST', '/v3/directline/tokens/generate', attackerIp(n), '{}'),
    ),
  ]);
  const used = process.cpuUsage(cpu);
  return { posts, tokens, startedAt, endedAt: Date.now(), cpuSeconds: (used.user + used.system) / 1e6 };
}

if (require.main === module && process.env.BENCH_FLOOD_ATTACK) {
  void attack(JSON.parse(process.env.BENCH_FLOOD_ATTACK)).then((result) =>
    process.stdout.write(`${JSON.stringify(result)}\n`),
  );
}
