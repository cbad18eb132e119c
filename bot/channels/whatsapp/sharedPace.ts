// The number's send rate (WHATSAPP_MPS) held by every instance together, on PostgreSQL. Meta counts
// the messages of a number, not of a process: with N instances each keeping the whole rate, the
// number would send N times too fast. One row (SendClock) holds the next free send time; an
// instance reserves a few send times at once by moving it forward by that many intervals (1/mps
// each), then sends each message at its own time. A row left in the past counts from now: an idle
// number saves up no burst. A reserved time an instance does not use (it stopped) is simply lost.
//
// No second of the clock ever holds more than the rate, whoever sends and however late its timers:
// - the row counts in "layout time": each second's mps send times are spread over its first
//   850 ms (LAYOUT_US), so a window of one second, wherever it starts, holds at most mps of them;
// - a message goes at its time, up to 20 ms early but never before its second starts, and at the
//   latest 900 ms into its second: a time whose sender comes later (a busy event loop) is dropped,
//   so late sends never pile onto the next second's. The last 100 ms of a second are left for
//   the trip to Meta, whose clock is the one that counts.
// On SQLite there is one process: the in-memory TokenBucket (rateLimiter.ts) does the same.
import { performance } from 'node:perf_hooks';
import type { Database } from '../../db/client';

const SECOND_US = 1_000_000;
/** The part of each second over which its send times are spread. */
const LAYOUT_US = 850_000;
/** A send time not used this far into its second is dropped. */
const LAST_SEND_MS = 900;
/**
 * How early a message may go before its reserved time: 20 ms worth of the rate, as the token
 * bucket holds; without it each send would wait for its own timer (at 1,000 a second, timers
 * late by a fraction of a millisecond each held the number to about 540).
 */
const EARLY_MS = 20;
/**
 * A reserved time this far behind, when the sender comes back after having nothing to send, is
 * dropped: using it now would send in the time of another instance. (While it sends on, a late
 * time is used at once, within its second: the event loop was busy, the sends catch up.)
 */
const STALE_MS = 100;

/** A reserved send time, and the bounds of its second, on the local clock (ms). */
interface Slot {
  at: number;
  opens: number;
  closes: number;
}

/**
 * The database's clock (µs) in layout time: the same second, stretched from LAYOUT_US to a whole one.
 * (The first design kept real time in the row: the two differ by less than a second, so instances of
 * both versions during a rolling upgrade only shift each other's next times a little, once.)
 */
const LAYOUT_NOW = `CASE WHEN r % ${SECOND_US} < ${LAYOUT_US}
  THEN r - r % ${SECOND_US} + (r % ${SECOND_US}) * ${SECOND_US} / ${LAYOUT_US}
  ELSE r - r % ${SECOND_US} + ${SECOND_US} END`;

/** A layout time (µs) on the real clock. */
function real(layoutUs: number): number {
  const offset = layoutUs % SECOND_US;
  return layoutUs - offset + Math.floor((offset * LAYOUT_US) / SECOND_US);
}

/** What the sender waits on before each send: a token bucket in memory, or this shared clock. */
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
  private readonly slots: Slot[] = [];
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
    // rounded up: never more than mps in a second
    this.intervalUs = Math.max(1, Math.ceil(SECOND_US / options.mps));
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
      const slot = await this.nextSlot(comingBack);
      // Too far ahead: wait until half the early margin is left, so that the next few go at once
      // (a timer a message would hold the number to what timers allow, not to its rate).
      const now = this.now();
      if (now < Math.max(slot.at - EARLY_MS, slot.opens)) {
        const until = Math.max(slot.at - EARLY_MS / 2, slot.opens);
        await new Promise((r) => setTimeout(r, Math.ceil(until - now) + 1));
      }
      if (this.now() <= slot.closes) return;
      // The timer came too late: sent now, it would count in the next second.
      comingBack = false;
    }
  }

  /** The next reserved time still usable, reserving more when fewer are left than messages wait. */
  private async nextSlot(comingBack: boolean): Promise<Slot> {
    for (;;) {
      const now = this.now();
      const slots = this.slots;
      while (slots.length && (slots[0]!.closes < now || (comingBack && slots[0]!.at < now - STALE_MS))) slots.shift();
      if (slots.length < this.waiting) this.reserving ??= this.reserveSoon();
      if (slots.length) return slots.shift()!;
      await this.reserving;
    }
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
    const [row] = await this.db.prisma.$queryRawUnsafe<{ nextAtUs: bigint | number; dbNowUs: bigint | number }[]>(
      `WITH c AS (SELECT (extract(epoch from clock_timestamp()) * ${SECOND_US})::bigint AS r),
            t AS (SELECT r, ${LAYOUT_NOW} AS layout FROM c)
       INSERT INTO "SendClock" ("key", "nextAtUs") SELECT $1, layout + $2::bigint FROM t
       ON CONFLICT ("key") DO UPDATE
         SET "nextAtUs" = GREATEST("SendClock"."nextAtUs", (SELECT layout FROM t)) + $2::bigint
       RETURNING "nextAtUs", (SELECT r FROM t) AS "dbNowUs"`,
      this.options.key,
      span,
    );
    const local = this.now();
    const dbNow = Number(row.dbNowUs);
    const toLocal = (realUs: number) => local + (realUs - dbNow) / 1000;
    const first = Number(row.nextAtUs) - span;
    for (let i = 0; i < count; i++) {
      const at = real(first + i * this.intervalUs);
      const second = at - (at % SECOND_US);
      this.slots.push({ at: toLocal(at), opens: toLocal(second), closes: toLocal(second) + LAST_SEND_MS });
    }
  }
}
