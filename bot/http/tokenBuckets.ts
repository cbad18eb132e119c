// Rate limits per key (a client address): one token bucket each. A bucket holds up to `burst`
// requests and refills at `perMinute`; a request takes one, or is refused with the seconds until
// the next one. A full bucket is the same as no bucket, so those are dropped: memory grows with
// the clients of the last minutes only, and is capped (`maxKeys`) against a flood of addresses.

export interface BucketOptions {
  /** requests a client may make at once */
  burst: number;
  /** sustained requests per minute */
  perMinute: number;
  /** most keys tracked; past it the oldest-refilled buckets are forgotten (default 50,000) */
  maxKeys?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly perMs: number;

  constructor(private readonly options: BucketOptions) {
    this.now = options.now ?? Date.now;
    this.perMs = options.perMinute / 60_000;
  }

  /** Takes one request from `key`'s bucket: 0 when allowed, else the seconds to wait (Retry-After). */
  take(key: string): number {
    const now = this.now();
    const bucket = this.refilled(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      // Re-inserted: the map stays in order of last use, the oldest first.
      this.buckets.delete(key);
      this.buckets.set(key, bucket);
      if (this.buckets.size > (this.options.maxKeys ?? 50_000)) this.prune(now);
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
  }

  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string, now: number): Bucket {
    const bucket = this.buckets.get(key) ?? { tokens: this.options.burst, at: now };
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    return bucket;
  }

  /** Drops buckets that are full again; if still too many, the least recently used ones. */
  private prune(now: number): void {
    const full = (this.options.burst / this.perMs) | 0;
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.at < full) break; // the rest were used more recently
      this.buckets.delete(key);
    }
    const max = this.options.maxKeys ?? 50_000;
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= max) break;
      this.buckets.delete(key);
    }
  }
}
