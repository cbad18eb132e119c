// The number's send rate (WHATSAPP_MPS) held by every instance together, on PostgreSQL. Meta counts
// the messages of a number, not of a process: with N instances each keeping the whole rate, the
// number would send N times too fast. One row (SendClock) holds the time from which the next
// message may go, on the database's clock; an instance reserves a few send times at once by moving
// it forward by that many intervals (1/mps each), then sends each message at its own time. The
// times are spaced on one line whoever reserved them, so no second ever holds more than the rate
// (plus the one being reserved at the edge), and a row left in the past counts from now: an idle
// number saves up no burst. A reserved time an instance does not use (it stopped) is simply lost.
// On SQLite there is one process: the in-memory TokenBucket (rateLimiter.ts) does the same.
import { performance } from 'node:perf_hooks';
import type { Database } from '../../db/client';

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
  /** send times reserved at once (default: 50 ms worth, at least 1) */
  batch?: number;
  /** a local monotonic clock, ms (tests) */
  now?: () => number;
}

export class SharedSendClock implements SendPace {
  /** reserved send times, on the local clock (ms), in order */
  private readonly slots: number[] = [];
  private queue: Promise<void> = Promise.resolve();
  private readonly intervalUs: number;
  private readonly batch: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Database,
    private readonly options: SharedPaceOptions,
  ) {
    this.intervalUs = Math.max(1, Math.round(1_000_000 / options.mps));
    this.batch = options.batch ?? Math.max(1, Math.ceil(options.mps / 20));
    this.now = options.now ?? (() => performance.now());
  }

  take(): Promise<void> {
    const turn = this.queue.then(() => this.next());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async next() {
    if (!this.slots.length) await this.reserve();
    const wait = this.slots.shift()! - this.now();
    if (wait >= 1) await new Promise((r) => setTimeout(r, Math.floor(wait)));
  }

  /** Moves the shared clock forward by `batch` intervals; the times it passed over are ours. */
  private async reserve() {
    const span = this.intervalUs * this.batch;
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
    for (let i = 0; i < this.batch; i++) this.slots.push(local + firstMs + (i * this.intervalUs) / 1000);
  }
}
