// The fake Graph API (fakeGraphServer.ts) in its own process, as the WhatsApp benchmarks start it:
// the server under test is given PHONE_ID and TOKEN, and the fake reports what it receives in lines.
// FakeGraphProcess follows those lines (the messages each person got, the uploads), textWebhook()
// is a person's message as Meta delivers it, and startWhatsAppServer() the real server against the
// fake, with a way to post signed webhooks.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { signatureOf } from '../bot/channels/whatsapp/signature';
import { eachLine } from './lines';

export const PHONE_ID = '100000000000009';
export const TOKEN = 'bench-token';
/** the app secret that signs the benchmark's webhooks */
export const SECRET = 'bench-app-secret';

/** The server's WhatsApp settings, against the fake (at `graphUrl` when it runs). */
export function whatsappSettings(graphUrl?: string, mps?: number): Record<string, string> {
  return {
    WHATSAPP_ACCESS_TOKEN: TOKEN,
    WHATSAPP_APP_SECRET: SECRET,
    WHATSAPP_VERIFY_TOKEN: 'bench',
    WHATSAPP_PHONE_NUMBER_ID: PHONE_ID,
    ...(graphUrl !== undefined && { WHATSAPP_GRAPH_URL: graphUrl }),
    ...(mps !== undefined && { WHATSAPP_MPS: String(mps) }),
  };
}

/** Starts the fake (more settings in `env`: FAKE_TRACE, FAKE_LATENCY_MS). */
export function spawnFakeGraph(env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [path.join(__dirname, 'fakeGraphServer.js')], {
    env: { ...process.env, FAKE_ACCESS_TOKEN: TOKEN, FAKE_PHONE_NUMBER_ID: PHONE_ID, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** Hands `onLine` each line the fake prints; resolves with its address once it listens. */
export function fakeGraphListening(child: ChildProcess, onLine: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    eachLine(child.stdout!, (line) => {
      if (line.startsWith('listening ')) resolve(line.slice('listening '.length));
      onLine(line);
    });
    child.once('exit', (code) => reject(new Error(`the fake Graph API exited (${code})`)));
  });
}

/** A message the fake reports sent: when (epoch ms) and its type (text, button, list, template, audio). */
export interface FakeSent {
  at: number;
  type: string;
}

/** The fake Graph API's process, and what it reports: the messages sent, per person, and the uploads. */
export class FakeGraphProcess {
  private readonly child: ChildProcess;
  private readonly sent = new Map<string, FakeSent[]>();
  private readonly waiters = new Map<string, () => void>();
  private sentMessages = 0;
  /** when each upload was answered (epoch ms), and its HTTP status */
  readonly uploads: { at: number; status: number }[] = [];
  url = '';

  constructor(env: Record<string, string> = {}) {
    this.child = spawnFakeGraph(env);
  }

  async start(): Promise<void> {
    this.url = await fakeGraphListening(this.child, (line) => {
      const [kind, ...rest] = line.split(' ');
      if (kind === 'uploaded') this.uploads.push({ at: Number(rest[0]), status: Number(rest[1]) });
      if (kind !== 'sent') return;
      const [to, at, type] = rest;
      const list = this.sent.get(to) ?? [];
      list.push({ at: Number(at), type });
      this.sentMessages++;
      this.sent.set(to, list);
      this.waiters.get(to)?.();
    });
  }

  /** the process id (to read its CPU time) */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** How many messages the fake received so far, to anyone. */
  sentCount(): number {
    return this.sentMessages;
  }

  /** The messages sent to `to` so far, in order. */
  sentTo(to: string): readonly FakeSent[] {
    return this.sent.get(to) ?? [];
  }

  /** Resolves with the time of the first question (button or list message) sent to `to` after index `from`. */
  async question(to: string, from: number, timeoutMs: number): Promise<{ at: number; index: number } | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const list = this.sentTo(to);
      const i = list.findIndex((m, k) => k >= from && (m.type === 'button' || m.type === 'list'));
      if (i >= 0) return { at: list[i].at, index: i + 1 };
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.waiters.set(to, () => {
          clearTimeout(timer);
          this.waiters.delete(to);
          resolve();
        });
      });
    }
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}

let webhooks = 0;

/** A person's text message as Meta's webhook delivers it (non-ASCII escaped, as Meta does). */
export function textWebhook(waId: string, text: string): Buffer {
  const message = {
    from: waId,
    id: `wamid.BENCHW${(++webhooks).toString(36)}`,
    timestamp: String(Math.floor(Date.now() / 1000)),
    type: 'text',
    text: { body: text },
  };
  const value = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '33180000009', phone_number_id: PHONE_ID },
    contacts: [{ profile: { name: 'Amina' }, wa_id: waId }],
    messages: [message],
  };
  const envelope = {
    object: 'whatsapp_business_account',
    entry: [{ id: '200000000000009', changes: [{ field: 'messages', value }] }],
  };
  return Buffer.from(
    JSON.stringify(envelope).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  );
}

/** The real server as the WhatsApp benchmarks run it, and `post` for a signed webhook. */
export interface WhatsAppServer {
  url: string;
  /** posts a webhook: when it started (epoch ms), how long the acknowledgement took, and whether it was a 200 */
  post(body: Buffer): Promise<{ started: number; ackMs: number; ok: boolean }>;
  stop(): Promise<void>;
}

/** The settings of a server against the fake at `graphUrl`: `databaseUrl`, its files in `dir`, quiet hours off. */
export function serverEnv(databaseUrl: string, dir: string, graphUrl: string, mps: number): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    DEMO_DATA: 'off',
    LOG_LEVEL: 'warn',
    QUIET_HOURS: 'off',
    MEDIA_DIR: path.join(dir, 'media'),
    ...whatsappSettings(graphUrl, mps),
  };
}

/** How many connections the load generator keeps to a server (as Meta, or a load balancer, reuses its own). */
export const POSTER_CONNECTIONS = 64;

/**
 * Posts signed webhooks to the server at `url` (see WhatsAppServer.post), over at most
 * POSTER_CONNECTIONS kept-alive connections: the others wait their turn, in order. (fetch would
 * open a connection for every request in flight, and a busy Node server accepts one new
 * connection per turn of its event loop: the last of 200 new connections waited seconds.)
 */
export function webhookPoster(url: string): WhatsAppServer['post'] {
  const agent = new http.Agent({ keepAlive: true, maxSockets: POSTER_CONNECTIONS });
  const target = new URL('/api/whatsapp', url);
  const send = (body: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        target,
        {
          method: 'POST',
          agent,
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': body.length,
            'X-Hub-Signature-256': signatureOf(body, SECRET),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return async (body: Buffer) => {
    const started = performance.timeOrigin + performance.now();
    // A kept-alive connection the server closed at that very moment: sent again, as Meta does.
    const status = await send(body).catch(() => send(body));
    return { started, ackMs: performance.timeOrigin + performance.now() - started, ok: status === 200 };
  };
}

/**
 * The real server (startApp, SQLite in `dir` with the benchmark's demo data, quiet hours off)
 * against the fake at `graphUrl`; `env` adds or overrides settings.
 */
export async function startWhatsAppServer(
  dir: string,
  graphUrl: string,
  mps: number,
  env: Record<string, string> = {},
): Promise<WhatsAppServer> {
  // (Loaded only now: a benchmark run before this one does not carry these modules' memory.)
  const { loadConfig } = await import('../bot/runtime/config');
  const { startApp } = await import('../bot/runtime/app');
  const { silentLogger } = await import('../bot/runtime/logger');
  const { openDatabase } = await import('../bot/db/client');
  const { seedBench } = await import('./data');
  const url = `file:${path.join(dir, 'bench.db')}`;
  const seeding = await openDatabase(url);
  await seedBench(seeding.prisma);
  await seeding.close();
  const config = loadConfig({ ...serverEnv(url, dir, graphUrl, mps), LOG_LEVEL: 'silent', ...env });
  const app = await startApp(config, silentLogger, { warmUp: true });
  return { url: app.url, post: webhookPoster(app.url), stop: () => app.stop() };
}
