// Pacing of sends, as Meta counts them:
// - the number's throughput (WHATSAPP_MPS): a token bucket refilled at that rate, holding 20 ms
//   worth (at least one token): enough to keep the rate despite the timers' granularity, small
//   enough that no second ever sees more than the rate and a few messages;
// - one person (Meta's "pair rate", about one message every 6 seconds, short bursts allowed): a
//   cell-rate pacer, so that a person can get a few replies at once (a conversation), but never
//   a flood; proactive messages (invitations, reminders...) come at most one every 6 seconds
//   even when several are due together; what goes over waits for its turn. Each person's due time
//   is also kept in the database (ConversationRef.paceDueAt), so that all instances pace them as one.
// Both take an injected clock (ms), so that tests need no real waiting for the arithmetic.

export type Clock = () => number;

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly capacity: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: Clock = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.capacity = Math.max(1, Math.ceil(ratePerSecond / 50));
    this.tokens = this.capacity;
    this.last = now();
  }

  /** How long to wait for a token (0: take it now); takes it when 0. */
  tryTake(): number {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) * this.ratePerSecond) / 1000);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return ((1 - this.tokens) * 1000) / this.ratePerSecond;
  }

  /** Resolves when a token is ours; callers are served in order. */
  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        const wait = this.tryTake();
        if (wait === 0) return;
        await this.sleep(Math.max(1, Math.ceil(wait)));
      }
    });
    this.queue = turn;
    return turn;
  }
}

/**
 * Generic cell rate: one message every `intervalMs` on average, up to `burst` at once. For each
 * person it keeps the theoretical time their next message is due; entries in the past are dropped.
 */
export class PairPacer {
  private readonly due = new Map<string, number>();

  constructor(
    private readonly intervalMs = 6000,
    private readonly burst = 20,
    private readonly now: Clock = () => Date.now(),
  ) {}

  /**
   * How long the next message to `key` must wait (0: it may go now), allowing `burst` messages at
   * once (default: the pacer's; 1: strictly one every interval). Does not reserve.
   */
  delay(key: string, burst = this.burst): number {
    const t = this.now();
    const due = this.due.get(key) ?? t;
    return Math.max(0, due - (burst - 1) * this.intervalMs - t);
  }

  /**
   * What another instance (or this one before a restart) recorded for `key` (ConversationRef
   * paceDueAt): the later of the two times counts.
   */
  learn(key: string, dueMs: number): void {
    if (dueMs > (this.due.get(key) ?? -Infinity)) this.due.set(key, dueMs);
  }

  /** When `key`'s next message is due by the pace (to be recorded for the other instances). */
  dueOf(key: string): number | undefined {
    return this.due.get(key);
  }

  /** Counts a message sent to `key` now. */
  sent(key: string): void {
    const t = this.now();
    this.due.set(key, Math.max(this.due.get(key) ?? t, t) + this.intervalMs);
    if (this.due.size > 10000) this.prune(t);
  }

  /** Meta said "too many to this person" (131056): nothing more for them for a while. */
  penalize(key: string, ms = this.intervalMs * this.burst): void {
    const t = this.now();
    this.due.set(key, Math.max(this.due.get(key) ?? t, t + ms + (this.burst - 1) * this.intervalMs));
  }

  private prune(t: number) {
    for (const [key, due] of this.due) if (due <= t) this.due.delete(key);
  }
}
