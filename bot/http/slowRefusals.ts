// A client address that keeps sending after it was refused (429 with Retry-After) is answered
// slowly: its next refusals are held for a moment (meanwhile Node reads no more of the body than
// its buffer takes, and the kernel's buffers push back on the sender), then answered. A client
// with N requests in flight then makes N requests per hold, not as many as the server can refuse:
// refusing a flood as fast as it came took most of a core (about 0.2 ms a request, reading each
// body and writing each answer), which the people's turns waited behind.
// A browser that respects Retry-After is never held: it is not refused `after` times in a row.

export interface SlowRefusalOptions {
  /** refusals in a row an address gets at once before its next ones are held (default 10) */
  after?: number;
  /** how long a refusal is held on average, ms (default 500; each between half and one and a half times it) */
  holdMs?: number;
  /** most refusals held at once; past it they are answered at once (default 256) */
  maxHeld?: number;
  /** most addresses remembered; past it the least recently refused are forgotten (default 50,000) */
  maxKeys?: number;
}

export class SlowRefusals {
  /** refusals in a row per address, the least recently refused first */
  private readonly strikes = new Map<string, number>();
  private heldNow = 0;
  private readonly after: number;
  private readonly holdMs: number;
  private readonly maxHeld: number;
  private readonly maxKeys: number;

  constructor(options: SlowRefusalOptions = {}) {
    this.after = options.after ?? 10;
    this.holdMs = options.holdMs ?? 500;
    this.maxHeld = options.maxHeld ?? 256;
    this.maxKeys = options.maxKeys ?? 50_000;
  }

  /** The address was let in: its count starts again. */
  allowed(key: string): void {
    if (this.strikes.size) this.strikes.delete(key);
  }

  /** The address was refused: how long to hold this refusal (0: answer at once). */
  refused(key: string): number {
    const n = (this.strikes.get(key) ?? 0) + 1;
    this.strikes.delete(key); // re-inserted: the map stays in order of last refusal
    this.strikes.set(key, n);
    if (this.strikes.size > this.maxKeys) this.strikes.delete(this.strikes.keys().next().value!);
    if (n <= this.after || this.heldNow >= this.maxHeld) return 0;
    // Spread out: held refusals answered together would come back together, a wave every hold
    // (the answers, new connections and requests of all in flight at once) that people's turns wait behind.
    return Math.round(this.holdMs * (0.5 + Math.random()));
  }

  /** Runs `answer` after `ms`, counted among the held refusals meanwhile. */
  hold(ms: number, answer: () => void): void {
    this.heldNow++;
    setTimeout(() => {
      this.heldNow--;
      answer();
    }, ms);
  }

  /** refusals being held now (tests, the benchmark's report) */
  get held(): number {
    return this.heldNow;
  }
}
