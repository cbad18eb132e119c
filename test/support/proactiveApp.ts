// The application with WhatsApp (a fake Graph API) on a clock the test moves, for the scheduled
// jobs: people with placements, webhooks from them, the outbox drained by the app's clock.
import type { LanguageCode } from '../../bot/i18n/languages';
import { zonedTime } from '../../bot/services/time';
import { drainedBy, onWhatsApp, startWhatsAppApp, textOf, type WhatsAppTestApp } from './whatsappApp';
import { postWebhook } from './whatsappWebhooks';
import type { TestDatabaseKind } from './databases';

export const TZ = 'Europe/Paris';
/** Paris time on a day of March 2026 (Monday 2 to Friday 6, Monday 9...). */
export const paris = (day: number, hour: number, minute = 0) => zonedTime(2026, 3, day, hour, minute, TZ);
/** A day of March 2026, as placements keep their dates. */
export const marchDay = (day: number) => new Date(Date.UTC(2026, 2, day));

export interface TestPerson {
  id: number;
  waId: string;
  language: LanguageCode;
  name: string;
}

export interface ProactiveApp {
  h: WhatsAppTestApp;
  clock: { now: Date };
  /** A person on WhatsApp; `wrote`: they wrote an hour before the clock (their window is open). */
  person(
    language: LanguageCode,
    options?: { wrote?: boolean; optedOut?: boolean; status?: string },
  ): Promise<TestPerson>;
  placement(
    p: TestPerson,
    placement: { structureId: number; kind?: string; from: number; to: number },
  ): Promise<number>;
  /** Waits until every webhook is handled and the outbox has nothing due by the app's clock. */
  drained(): Promise<void>;
  /** Posts a webhook from the person; their replies' texts. */
  say(p: { waId: string }, body: object): Promise<string>;
  run(job: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

let counter = 0;

/**
 * `instance`: another instance of an app already started (its database, fake Graph API and clock),
 * or a first one on PostgreSQL (`kind`).
 */
export async function startProactiveApp(
  env: Record<string, string> = {},
  start = paris(3, 17),
  instance: { of?: ProactiveApp; kind?: TestDatabaseKind } = {},
): Promise<ProactiveApp> {
  const clock = instance.of?.clock ?? { now: start };
  // (Days pass in milliseconds here: no pause between two messages to one person.)
  const h = await startWhatsAppApp({
    kind: instance.kind,
    reuse: instance.of?.h.db,
    graph: instance.of?.h.graph,
    now: () => clock.now,
    env: { WHATSAPP_MPS: '1000', ...env },
    tuning: { pairIntervalMs: 1 },
  });
  const db = h.app.db.prisma;
  const app: ProactiveApp = {
    h,
    clock,
    async person(language, options = {}) {
      const n = ++counter;
      const waId = `3370${String(n).padStart(7, '0')}`;
      const b = await db.beneficiary.create({
        data: {
          firstName: `P${n}`,
          phone: `+${waId}`,
          language,
          birthYear: 1990,
          status: options.status ?? 'active',
          consentAt: new Date(),
          ...(options.optedOut && { optedOutAt: new Date() }),
        },
      });
      if (options.wrote) {
        await onWhatsApp(h.app, { beneficiaryId: b.id, waId, language }, new Date(clock.now.getTime() - 3600_000));
      }
      return { id: b.id, waId, language, name: `P${n}` };
    },
    async placement(p, placement) {
      const row = await db.placement.create({
        data: {
          beneficiaryId: p.id,
          structureId: placement.structureId,
          kind: placement.kind ?? 'immersion',
          startDate: marchDay(placement.from),
          endDate: marchDay(placement.to),
          status: 'active',
        },
      });
      return row.id;
    },
    drained: () => drainedBy(h.app, () => clock.now),
    async say(p, body) {
      const before = h.graph.sentTo(p.waId).length;
      const res = await postWebhook(h.app.url, body);
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      await app.drained();
      return h.graph.sentTo(p.waId).slice(before).map(textOf).join('\n');
    },
    run: (job) => h.app.jobs.run(job) as Promise<Record<string, unknown>>,
    close: () => h.close(),
  };
  return app;
}
