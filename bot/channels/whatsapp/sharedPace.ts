// The number's send rate (WHATSAPP_MPS) held by every instance together, on PostgreSQL. Meta counts
// the messages of a number, not of a process: with N instances each keeping the whole rate, the
// number would send N times too fast. One row (SendClock) holds the time from which the next
// message may go, on the database's clock; an instance reserves a few send times at once by moving
// it forward by that many intervals (1/mps each), then sends each message at its own time. The
// times are spaced on one line whoever reserved them, so no second ever holds more than the rate
// (plus 20 ms worth: a message may go that much early), and a row left in the past counts from now: an idle
// number saves up no burst. A reserved time an instance does not use (it stopped) is simply lost.
// On SQLite there is one process: the in-memory TokenBucket (rateLimiter.ts) does the same.
import { performance } from 'node:perf_hooks';
import type { Database } from '../../db/client';

/** What the sender waits on before each send: a token bucket in memory, or this shared clock. */
/**
 * How early a message may go before its reserved time: 20 ms worth of the rate, as the token
 * bucket holds; without it each send would wait for its own timer (at 1,000 a second, timers
 * late by a fraction of a millisecond each held the number to about 540).
 */
const EARLY_MS = 20;
/**
 * A reserved time this far behind, when the sender comes back after having nothing to send, is
 * dropped: using it now would send in the time of another instance. (While it sends on, a late
 * time is used at once: the event loop was busy, the sends catch up.)
 */
const STALE_MS = 100;

export interface SendPace {
  /** Resolves when the next message may go; callers are served in order. */
  take(): Promise<void>;
}

export interface SharedPaceOptions {
  /** messages a second, for the whole number */
  mps: number;
  /** the row's key: the phone number id */
  key: string;
  /** send times reserved at once at the most (default: 100 ms worth, at least 1): as many as
   * messages wait, so that an instance sending little holds no time another could use; the next
   * ones are reserved as soon as fewer are left than wait, so that sending never waits for the
   * database under load */
  batch?: number;
  /** a local monotonic clock, ms (tests) */
  now?: () => number;
}

export class SharedSendClock implements SendPace {
  /** reserved send times, on the local clock (ms), in order */
  private readonly slots: number[] = [];
  private queue: Promise<void> = Promise.resolve();
  private reserving?: Promise<void>;
  /** takes asked and not yet served */
  private waiting = 0;
  private readonly intervalUs: number;
  private readonly batch: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Database,
    private readonly options: SharedPaceOptions,
  ) {
    this.intervalUs = Math.max(1, Math.round(1_000_000 / options.mps));
    this.batch = options.batch ?? Math.max(1, Math.ceil(options.mps / 10));
    this.now = options.now ?? (() => performance.now());
  }

  take(): Promise<void> {
    const comingBack = this.waiting++ === 0;
    const turn = this.queue.then(() => this.next(comingBack)).finally(() => this.waiting--);
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async next(comingBack: boolean) {
    for (;;) {
      const now = this.now();
      if (comingBack) while (this.slots.length && this.slots[0]! < now - STALE_MS) this.slots.shift();
      if (this.slots.length < this.waiting) this.reserving ??= this.reserveSoon();
      if (this.slots.length) break;
      await this.reserving;
    }
    // Too far ahead: wait until half the early margin is left, so that the next few go at once
    // (a timer a message would hold the number to what timers allow, not to its rate).
    const ahead = this.slots.shift()! - this.now();
    if (ahead > EARLY_MS) await new Promise((r) => setTimeout(r, Math.ceil(ahead - EARLY_MS / 2)));
  }

  /** Reserves the next batch; should the database not answer, tries again shortly. */
  private async reserveSoon() {
    try {
      await this.reserve();
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      this.reserving = undefined;
    }
  }

  /** Moves the shared clock forward by one interval a waiting message; the times it passed over are ours. */
  private async reserve() {
    const count = Math.min(this.batch, Math.max(1, this.waiting));
    const span = this.intervalUs * count;
    // (clock_timestamp(): the time of this very statement, not of its transaction's start.)
    const nowUs = `(extract(epoch from clock_timestamp()) * 1000000)::bigint`;
    const [row] = await this.db.prisma.$queryRawUnsafe<{ nextAtUs: bigint | number; dbNowUs: bigint | number }[]>(
      `INSERT INTO "SendClock" ("key", "nextAtUs") VALUES ($1, ${nowUs} + $2::bigint)
       ON CONFLICT ("key") DO UPDATE SET "nextAtUs" = GREATEST("SendClock"."nextAtUs", ${nowUs}) + $2::bigint
       RETURNING "nextAtUs", ${nowUs} AS "dbNowUs"`,
      this.options.key,
      span,
    );
    const local = this.now();
    // The first reserved time, as a delay from now on the database's clock, then every interval.
    const firstMs = (Number(row.nextAtUs) - span - Number(row.dbNowUs)) / 1000;
    for (let i = 0; i < count; i++) this.slots.push(local + firstMs + (i * this.intervalUs) / 1000);
  }
}
