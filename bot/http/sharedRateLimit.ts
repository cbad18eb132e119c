// Rate limits per key (a client address) counted by every instance together, on PostgreSQL: the
// same allowance as TokenBuckets (a burst, then perMinute), kept as one row per key in
// "AddressRate" and decided by one statement. A generic cell rate: the row holds the time the
// key's allowance is used up to (dueMs); a request moves it on by 60,000 / perMinute ms and is
// refused when that would put it more than `burst` requests ahead of now. The caller counts in
// memory first (TokenBuckets: an address that floods one instance is refused without a query), so
// only requests within one instance's allowance reach the database.
import type { Db } from '../db/client';
import { TokenBuckets } from './tokenBuckets';

export interface SharedRateOptions {
  /** the limit's name, part of each row's key ("tokens", "posts") */
  scope: string;
  burst: number;
  perMinute: number;
  now?: () => number;
}

export class SharedRateLimit {
  /** how far each request moves its key's time on, ms */
  private readonly step: number;
  /** how far ahead of now a key's time may go: the burst, ms */
  private readonly ahead: number;

  constructor(
    private readonly prisma: Db,
    private readonly options: SharedRateOptions,
  ) {
    this.step = Math.max(1, Math.round(60_000 / options.perMinute));
    this.ahead = options.burst * this.step;
  }

  /** Takes one request from `key`'s allowance: 0 when allowed, else the seconds to wait (Retry-After). */
  async take(key: string): Promise<number> {
    const now = (this.options.now ?? Date.now)();
    const { step, ahead } = this;
    // (The SET expressions read the row as it was, so "allowed" and "dueMs" agree.)
    const [row] = await this.prisma.$queryRawUnsafe<{ allowed: boolean; dueMs: bigint }[]>(
      `INSERT INTO "AddressRate" AS r ("key", "dueMs", "allowed") VALUES ($1, $2::bigint + $3::bigint, true)
        ON CONFLICT ("key") DO UPDATE SET
          "allowed" = GREATEST(r."dueMs", $2::bigint) + $3::bigint - $4::bigint <= $2::bigint,
          "dueMs" = CASE WHEN GREATEST(r."dueMs", $2::bigint) + $3::bigint - $4::bigint <= $2::bigint
            THEN GREATEST(r."dueMs", $2::bigint) + $3::bigint ELSE r."dueMs" END
        RETURNING "allowed", "dueMs"`,
      `${this.options.scope}:${key}`,
      now,
      step,
      ahead,
    );
    if (!row || row.allowed) return 0;
    return Math.max(1, Math.ceil((Number(row.dueMs) + step - ahead - now) / 1000));
  }

  /** Forgets the keys whose allowance is whole again (their row says no more than a new one would). */
  async sweep(): Promise<number> {
    return this.prisma.$executeRawUnsafe(
      `DELETE FROM "AddressRate" WHERE "key" LIKE $1 AND "dueMs" < $2::bigint`,
      `${this.options.scope}:%`,
      (this.options.now ?? Date.now)(),
    );
  }
}

/**
 * A limit per client address: counted in this process's memory, then, when the instances share a
 * PostgreSQL database, for the whole service. A number when decided at once, a promise otherwise.
 */
export class AddressLimit {
  private readonly local: TokenBuckets;
  private readonly shared?: SharedRateLimit;

  constructor(options: SharedRateOptions & { db?: Db }) {
    this.local = new TokenBuckets(options);
    if (options.db) this.shared = new SharedRateLimit(options.db, options);
  }

  /** 0 when allowed, else the seconds to wait; a failing database rejects (the caller decides). */
  take(key: string): number | Promise<number> {
    const wait = this.local.take(key);
    return wait || !this.shared ? wait : this.shared.take(key);
  }

  sweep(): Promise<number> {
    return this.shared ? this.shared.sweep() : Promise.resolve(0);
  }
}
