// The public web chat under a flood: the real server in a process of its own (bench/server.ts, a
// fresh SQLite file with the demo data), on loopback only, behind a pretend reverse proxy
// (TRUST_PROXY=127.0.0.1: each simulated client has its own X-Forwarded-For address).
//   1. baseline: N people (default 50, each from their own address) talk to the bot, a message
//      every 0.6 s or so (within the 60 a minute per address), for T turns each: the time from the
//      POST to the bot's reply read back;
//   2. flood: the same people go on for T more turns while a few attacker addresses send P large
//      posts (about 29 KB each, near the 32 KB a post may have: 4,096 characters of text,
//      channelData, entities, foreign attachments) and K token
//      requests, many at once. The rate limits (per address), what is kept of a post and the byte
//      caps decide what it costs: the people's p95 against the baseline, and the server's RSS
//      growth (its resident memory at the peak of the flood against before it).
// The flood runs in a process of its own at the lowest CPU priority (nice 19): the attackers'
// machines are not ours, so their load generator must not take the server's or the people's CPU
// (on a busy 2-core machine it otherwise did, and the people's times measured the load generator). Bounded: a fixed number of requests, each with a timeout, and the flood
// stops after 25 s whatever is left ("unsent"); the whole run takes under a minute.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { eachLine } from './lines';

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
  log: (line: string) => void;
}

export interface FloodBenchResult {
  people: number;
  turns: number;
  baseline: { p50Ms: number; p95Ms: number; missing: number };
  flood: {
    p50Ms: number;
    p95Ms: number;
    missing: number;
    /** the people's phase, and the flood's own requests (a part of it) */
    seconds: number;
    floodSeconds: number;
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

/** What a person writes, over and over: the language list, back to the menu, help, the menu. */
const SCRIPT = ['6', '0', 'aide', 'menu'];
const THINK_MS = 600;
/** the flood stops sending after this long, whatever is left (the run stays bounded on a busy machine) */
const FLOOD_DEADLINE_MS = 25_000;

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The server in its own process, its resident memory sampled from /proc. */
class Server {
  private peakKb = 0;
  private readonly sampler: NodeJS.Timeout;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.sampler = setInterval(() => this.rssMb(), 50);
  }

  static start(env: Record<string, string>): Promise<Server> {
    const child = spawn(process.execPath, ['--disable-warning=DEP0111', path.join(__dirname, 'server.js')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    return new Promise((resolve, reject) => {
      let err = '';
      child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
      eachLine(child.stdout!, (line) => {
        const match = /^listening (\S+)/.exec(line);
        if (match) resolve(new Server(child, match[1]));
      });
      child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening: ${err.slice(-2000)}`)));
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
      headers: { 'X-Forwarded-For': ip, ...(token && { Authorization: `Bearer ${token}` }), ...(body !== undefined && { 'Content-Type': 'application/json' }) },
      body,
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    return { status: res.status, body: text };
  };

  async function visit(ip: string): Promise<Visitor> {
    const user = `wc_flood_${ip.replace(/\W/g, '_')}_${Math.random().toString(36).slice(2, 10)}`;
    const token = await request('POST', '/v3/directline/tokens/generate', ip, JSON.stringify({ user: { id: user }, locale: 'fr-FR' }));
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
    const res = await request('GET', `/v3/directline/conversations/${v.conversationId}/activities?watermark=${v.watermark}`, v.ip, undefined, v.token);
    if (res.status !== 200) return [];
    const { activities, watermark } = JSON.parse(res.body) as { activities: { from: { role?: string }; type: string }[]; watermark: string };
    v.watermark = watermark;
    return activities.map((a) => ({ role: a.from.role, type: a.type }));
  }

  /** Sends a message; the time until the bot's reply is read back, or undefined if none came. */
  async function turn(v: Visitor, text: string): Promise<number | undefined> {
    const started = performance.now();
    const res = await request('POST', `/v3/directline/conversations/${v.conversationId}/activities`, v.ip, JSON.stringify({ type: 'message', text, locale: 'fr-FR', from: { id: 'x' } }), v.token);
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

/** Every person takes `turns` turns, one after another with a short pause; their latencies. */
async function converse(c: Client, people: Visitor[], turns: number, from: number): Promise<{ times: number[]; missing: number }> {
  const times: number[] = [];
  let missing = 0;
  await Promise.all(
    people.map(async (v, who) => {
      await sleep((who * THINK_MS) / people.length); // not all in step
      for (let i = 0; i < turns; i++) {
        const ms = await c.turn(v, SCRIPT[(from + i) % SCRIPT.length]);
        if (ms === undefined) missing++;
        else times.push(ms);
        await sleep(THINK_MS);
      }
    }),
  );
  return { times, missing };
}

/** A large post (under the 32 KB limit, so that it is read): what an attacker would like the server to keep. */
function floodBody(n: number): string {
  return JSON.stringify({
    type: 'message',
    text: 'ж'.repeat(4_090),
    locale: 'fr-FR',
    channelData: { clientActivityID: `flood-${n}`, junk: 'j'.repeat(16_000) },
    entities: [{ type: 'junk', data: 'e'.repeat(3_000) }],
    attachments: [{ contentType: 'image/png', contentUrl: `https://attacker.example/${'a'.repeat(1_000)}.png`, name: 'n'.repeat(500) }],
    value: { x: 1 },
  });
}

/** Runs `count` requests, `inFlight` at once, until the deadline; counts their statuses ("unsent" past the deadline). */
async function flood(count: number, inFlight: number, send: (n: number) => Promise<number>): Promise<Record<string, number>> {
  const statuses: Record<string, number> = {};
  const deadline = performance.now() + FLOOD_DEADLINE_MS;
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count && performance.now() < deadline) {
        const n = next++;
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
    // (As long as a measured phase: JIT and caches settle; a shorter one made the baseline slower than the second phase.)
    await converse(c, people, Math.max(SCRIPT.length, options.turns), 0);

    log(`flood: baseline, ${options.people} people x ${options.turns} turns`);
    const cpu0 = server.cpuSeconds();
    const t0 = performance.now();
    const baseline = await converse(c, people, options.turns, 0);
    const baselineCpu = { seconds: (performance.now() - t0) / 1000, cpu: server.cpuSeconds() - cpu0 };
    await sleep(300);
    const beforeMb = server.rssMb();
    server.resetPeak();

    log(`flood: ${options.posts} large posts and ${options.tokens} token requests from ${options.attackers} addresses, ${options.inFlight} in flight, while the people go on`);
    const started = performance.now();
    const cpu1 = server.cpuSeconds();
    const attacker = spawn(process.execPath, [__filename], {
      env: { ...process.env, BENCH_FLOOD_ATTACK: JSON.stringify({ url: server.url, ...options, log: undefined }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      os.setPriority(attacker.pid!, 19);
    } catch {
      log('flood: could not lower the attackers\' priority');
    }
    const flooding = new Promise<[Record<string, number>, Record<string, number>, number]>((resolve, reject) => {
      eachLine(attacker.stdout!, (line) => resolve(JSON.parse(line)));
      attacker.once('exit', (code) => reject(new Error(`the attackers' process ended (${code}) without a result`)));
    });
    const during = await converse(c, people, options.turns, options.turns);
    const [posts, tokens, floodSeconds] = await flooding;
    const seconds = (performance.now() - started) / 1000;
    const floodCpu = server.cpuSeconds() - cpu1;
    const peakMb = server.peakMb();
    await sleep(500);
    const afterMb = server.rssMb();

    // A new visitor after the flood, from an address of their own: let in and answered.
    let newVisitorAnswered = false;
    try {
      newVisitorAnswered = (await c.turn(await c.visit('10.9.9.9'), 'menu')) !== undefined;
    } catch {
      newVisitorAnswered = false;
    }

    const p = (times: number[], q: number) => percentile(times, q);
    const result: FloodBenchResult = {
      people: options.people,
      turns: options.turns,
      baseline: { p50Ms: p(baseline.times, 50), p95Ms: p(baseline.times, 95), missing: baseline.missing },
      flood: { p50Ms: p(during.times, 50), p95Ms: p(during.times, 95), missing: during.missing, seconds, floodSeconds, posts, tokens },
      rss: { beforeMb, peakMb, growthMb: peakMb - beforeMb, afterMb },
      cpu: {
        baselineShare: baselineCpu.cpu / baselineCpu.seconds,
        floodShare: floodCpu / seconds,
        // what the flood added, beyond the people's own turns at the baseline's pace
        msPerFloodRequest: (1000 * Math.max(0, floodCpu - baselineCpu.cpu)) / Math.max(1, options.posts + options.tokens),
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

/** The attackers (in their own process): their posts and token requests, as many at once as asked. */
async function attack(o: Omit<FloodBenchOptions, 'log'> & { url: string }): Promise<[Record<string, number>, Record<string, number>, number]> {
  const c = client(o.url);
  const attackerIp = (n: number) => `203.0.113.${(n % o.attackers) + 1}`;
  const attackers: Visitor[] = [];
  for (let i = 0; i < o.attackers; i++) attackers.push(await c.visit(attackerIp(i)));
  const body = Array.from({ length: 4 }, (_, i) => floodBody(i)); // the same few bodies: the load generator stays small
  const started = performance.now();
  const [posts, tokens] = await Promise.all([
    flood(o.posts, o.inFlight, async (n) => {
      const v = attackers[n % attackers.length];
      return (await c.request('POST', `/v3/directline/conversations/${v.conversationId}/activities`, v.ip, body[n % body.length], v.token)).status;
    }),
    flood(o.tokens, Math.max(1, o.inFlight / 2), async (n) => (await c.request('POST', '/v3/directline/tokens/generate', attackerIp(n), '{}')).status),
  ]);
  return [posts, tokens, (performance.now() - started) / 1000];
}

if (require.main === module && process.env.BENCH_FLOOD_ATTACK) {
  void attack(JSON.parse(process.env.BENCH_FLOOD_ATTACK)).then((result) => process.stdout.write(`${JSON.stringify(result)}\n`));
}
