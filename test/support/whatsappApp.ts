// The real application with its WhatsApp channel on, against a fake Graph API, on a fresh
// database: post signed webhooks, wait until everything they caused is handled and sent, and read
// what each person received.
import { startTestApp } from './app';
import type { App } from '../../bot/runtime/app';
import type { WhatsAppTuning } from '../../bot/channels/whatsapp/channel';
import { createTempSqlite, type TestDatabaseKind } from './databases';
import { FakeGraphApi, type SentMessage } from './fakeGraphApi';
import type { TempDatabase } from './postgres';
import { postWebhook, whatsappEnv } from './whatsappWebhooks';

export interface WhatsAppTestApp {
  app: App;
  graph: FakeGraphApi;
  db: TempDatabase;
  /** posts a webhook (must get 200), waits until it is handled and its replies sent; returns what `to` got */
  send(body: object, to?: string): Promise<SentMessage[]>;
  /** waits until no message waits to be handled or sent (parked ones aside) */
  settled(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The text a person reads in a sent message (body, the template's name, or [audio] for a voice note). */
export function textOf(m: SentMessage): string {
  const b = m.body as {
    type: string;
    text?: { body: string };
    interactive?: { body: { text: string } };
    template?: { name: string };
  };
  if (b.type === 'text') return b.text!.body;
  if (b.type === 'interactive') return b.interactive!.body.text;
  if (b.type === 'audio') return '[audio]';
  return `[template ${b.template?.name}]`;
}

/** An outbox row: a text reply to `to`, due now. */
export const textReply = (to: string, body: string) => ({
  to,
  kind: 'reply',
  payload: { form: 'message', message: { type: 'text', text: { body } }, text: body, answers: Date.now() },
  nextAttemptAt: new Date(),
});

/** Short timings for tests: retries after 50 ms, a Graph call given up after 5 s, a loose pace per person. */
export const FAST: WhatsAppTuning = {
  retryBaseMs: 50,
  graphTimeoutMs: 5000,
  recoveryMs: 500,
  pollMs: 100,
  pairBurst: 1000,
};

export async function startWhatsAppApp(
  options: {
    env?: Record<string, string>;
    kind?: TestDatabaseKind;
    /** a fake already running (kept open on close) */
    graph?: FakeGraphApi;
    /** a database already used (a restart; kept on close) */
    reuse?: TempDatabase;
    tuning?: WhatsAppTuning;
    /** the application's clock */
    now?: () => Date;
  } = {},
): Promise<WhatsAppTestApp> {
  const graph = options.graph ?? (await FakeGraphApi.start());
  const db = options.reuse ?? (options.kind ? await options.kind.create() : await createTempSqlite());
  const app = await startTestApp(db.url, whatsappEnv(graph.url, options.env), {
    whatsapp: { ...FAST, ...options.tuning },
    now: options.now,
  });
  const seen = new Map<string, number>();
  const harness: WhatsAppTestApp = {
    app,
    graph,
    db,
    async send(body, to) {
      const res = await postWebhook(app.url, body);
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
      await harness.settled();
      if (!to) return [];
      const all = graph.sentTo(to);
      const from = seen.get(to) ?? 0;
      seen.set(to, all.length);
      return all.slice(from);
    },
    async settled(timeoutMs = 10000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // A sender stopped by a refused token sends nothing: what waits for it does not count.
        const sending = app.whatsapp!.sender.stopped
          ? []
          : [
              { direction: 'out', status: 'sending' },
              { direction: 'out', status: 'queued', nextAttemptAt: { lte: new Date(Date.now() + 1000) } },
            ];
        const pending = await app.db.prisma.message.count({
          where: {
            channel: 'whatsapp',
            OR: [{ direction: 'in', status: { in: ['queued', 'processing'] } }, ...sending],
          },
        });
        if (pending === 0 && app.core.turns.size === 0 && app.whatsapp!.sender.busy === 0) return;
        if (Date.now() > deadline) throw new Error(`${pending} WhatsApp message(s) still waiting`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      await app.stop();
      if (!options.graph) await graph.close();
      if (!options.reuse) await db.drop();
    },
  };
  return harness;
}

/**
 * For a test file whose tests each start their own app: the starter, and after each test the app it
 * started is closed. 1000 messages a second unless the options carry an `env` (which then replaces it).
 */
export function appPerTest(): (options?: Parameters<typeof startWhatsAppApp>[0]) => Promise<WhatsAppTestApp> {
  let running: WhatsAppTestApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });
  return async (options = {}) =>
    (running = await startWhatsAppApp({ env: { WHATSAPP_MPS: '1000', ...options.env }, ...options }));
}

/**
 * The app (as startWhatsAppApp starts it with no options) for the whole describe block (started in
 * beforeAll, closed in afterAll), or for each test with `each`. The returned object speaks for it
 * inside tests.
 */
export function useWhatsAppApp(each?: 'each'): WhatsAppTestApp {
  let running: WhatsAppTestApp | undefined;
  (each ? beforeEach : beforeAll)(async () => {
    running = await startWhatsAppApp();
  });
  (each ? afterEach : afterAll)(async () => {
    await running?.close();
    running = undefined;
  });
  return new Proxy({} as WhatsAppTestApp, {
    get(_target, prop) {
      if (!running) throw new Error('the app runs inside tests only');
      const value = Reflect.get(running, prop);
      return typeof value === 'function' ? value.bind(running) : value;
    },
  });
}

/**
 * Waits until every webhook is handled and the outbox has nothing due by the app's own clock `now`
 * (for an app on a clock the test moves; settled() reads the wall clock).
 */
export async function drainedBy(app: App, now: () => Date, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = await app.db.prisma.message.count({
      where: {
        OR: [
          { direction: 'in', status: { in: ['queued', 'processing'] } },
          { direction: 'out', status: 'sending' },
          { direction: 'out', status: 'queued', nextAttemptAt: { lte: now() } },
        ],
      },
    });
    if (!pending && app.core.turns.size === 0 && app.whatsapp!.sender.busy === 0) return;
    if (Date.now() > deadline) throw new Error(`${pending} message(s) still due`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A case that has a WhatsApp chat with us: its conversation reference and its user profile, as the
 * channel leaves them after a message the person sent at `wroteAt` (their 24-hour window counts from it).
 */
export async function onWhatsApp(
  app: App,
  person: { beneficiaryId: number; waId: string; language: string },
  wroteAt: Date,
) {
  const { beneficiaryId, waId, language } = person;
  await app.db.prisma.conversationRef.create({
    data: {
      channel: 'whatsapp',
      userKey: waId,
      conversationId: waId,
      reference: {},
      beneficiaryId,
      lastInboundAt: wroteAt,
    },
  });
  await app.core.storage.write({
    [`whatsapp/users/${waId}/`]: {
      profile: { beneficiaryId, language, conversationId: waId, lastTurnAt: wroteAt.toISOString() },
      eTag: '*',
    },
  });
}
