// Wrong passwords, counted in the database so that every server instance sees the same counts.
// Two counters per attempt: the account (10 failures in 15 minutes lock it for 15 minutes, even for
// the right password, until then or until an admin gives a new one-time password) and the client's
// address (an IPv6 client counts by its /64): 30 failures in 15 minutes, from one address, on any
// accounts, and that address waits 15 minutes. A row is one counter: failures in the window that
// began at windowStart, and lockedUntil. Every change is one conditional UPDATE, so two instances
// counting at once neither lose a failure nor lock twice.
import crypto from 'node:crypto';
import { isUniqueViolation, type Db } from '../db/client';
import { addressPrefix } from '../http/clientAddress';

export interface ThrottleRule {
  /** this many failures within the window lock the key */
  failures: number;
  windowMs: number;
  lockMs: number;
}

const MINUTE = 60_000;
export const ACCOUNT_RULE: ThrottleRule = { failures: 10, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE };
export const ADDRESS_RULE: ThrottleRule = { failures: 30, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE };

export interface LoginLock {
  scope: 'account' | 'address';
  until: Date;
}

export interface Attempt {
  email: string;
  /** the client's address (clientAddress): counted by addressPrefix */
  address: string;
}

// The email is kept hashed: people type all sorts of things in it, passwords included.
export const accountKey = (email: string) =>
  `account:${crypto.createHash('sha256').update(email.trim().toLowerCase()).digest('hex')}`;
export const addressKey = (address: string) => `address:${addressPrefix(address)}`;

/** The lock that holds this attempt back now, if any (the one that ends last). */
export async function loginLock(db: Db, attempt: Attempt, now: Date): Promise<LoginLock | undefined> {
  const account = accountKey(attempt.email);
  const rows = await db.loginThrottle.findMany({
    where: { key: { in: [account, addressKey(attempt.address)] }, lockedUntil: { gt: now } },
  });
  const last = rows.sort((a, b) => b.lockedUntil!.getTime() - a.lockedUntil!.getTime())[0];
  return last && { scope: last.key === account ? 'account' : 'address', until: last.lockedUntil! };
}

/** Counts a wrong password for the account and the address; the lock it set, if it was the last straw. */
export async function loginFailed(db: Db, attempt: Attempt, now: Date): Promise<LoginLock | undefined> {
  const account = await countFailure(db, accountKey(attempt.email), ACCOUNT_RULE, now);
  const address = await countFailure(db, addressKey(attempt.address), ADDRESS_RULE, now);
  await pruneNow(db, now);
  if (account) return { scope: 'account', until: account };
  if (address) return { scope: 'address', until: address };
  return undefined;
}

/** A wrong password for an account only (the current password asked when changing it). */
export async function accountFailed(db: Db, email: string, now: Date): Promise<LoginLock | undefined> {
  const until = await countFailure(db, accountKey(email), ACCOUNT_RULE, now);
  return until && { scope: 'account', until };
}

/** The right password, or a new one given by an admin: the account's count and lock start over. */
export async function clearAccount(db: Db, email: string): Promise<void> {
  await db.loginThrottle.deleteMany({ where: { key: accountKey(email) } });
}

async function countFailure(db: Db, key: string, rule: ThrottleRule, now: Date): Promise<Date | undefined> {
  const windowFrom = new Date(now.getTime() - rule.windowMs);
  for (let attempt = 0; attempt < 5; attempt++) {
    // In the current window: one more.
    const counted = await db.loginThrottle.updateMany({
      where: { key, windowStart: { gt: windowFrom } },
      data: { failures: { increment: 1 } },
    });
    if (counted.count) return lockIfDue(db, key, rule, now, windowFrom);
    // No row, or its window is over: a new window, compare-and-set on the old start (another
    // instance may be starting it too; then the loop counts in theirs).
    const row = await db.loginThrottle.findUnique({ where: { key } });
    if (!row) {
      try {
        await db.loginThrottle.create({ data: { key, failures: 1, windowStart: now } });
        return lockIfDue(db, key, rule, now, windowFrom);
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        continue;
      }
    }
    if (row.windowStart > windowFrom) continue;
    const restarted = await db.loginThrottle.updateMany({
      where: { key, windowStart: row.windowStart },
      data: { failures: 1, windowStart: now },
    });
    if (restarted.count) return lockIfDue(db, key, rule, now, windowFrom);
  }
  return undefined;
}

/** Locks the key when the window holds enough failures; the lock starts a new window (so it ends with it). */
async function lockIfDue(
  db: Db,
  key: string,
  rule: ThrottleRule,
  now: Date,
  windowFrom: Date,
): Promise<Date | undefined> {
  const until = new Date(now.getTime() + rule.lockMs);
  const locked = await db.loginThrottle.updateMany({
    where: { key, failures: { gte: rule.failures }, windowStart: { gt: windowFrom } },
    data: { lockedUntil: until, failures: 0, windowStart: now },
  });
  return locked.count ? until : undefined;
}

const PRUNE_EVERY_MS = 3600_000;
let prunedAt = 0;

/** Counters whose window and lock are over are forgotten (at most once an hour per process). */
async function pruneNow(db: Db, now: Date): Promise<void> {
  if (Math.abs(now.getTime() - prunedAt) < PRUNE_EVERY_MS) return;
  prunedAt = now.getTime();
  const longest = Math.max(ACCOUNT_RULE.windowMs, ADDRESS_RULE.windowMs);
  await db.loginThrottle.deleteMany({
    where: {
      windowStart: { lte: new Date(now.getTime() - longest) },
      OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }],
    },
  });
}
