// Staff accounts and sessions. Passwords are hashed with scrypt (memory-hard, in Node's own
// crypto): "scrypt$N$r$p$salt$hash", never stored as given. A session is a random bearer token
// (256 bits) of which only the SHA-256 is stored, with its expiry; signing out revokes it.
// A password made by `npm run staff:create` is given out once: it must be changed at the first
// sign-in, before anything else is allowed, and within 72 hours. Changing one's own password later
// asks for the current one. At most two hashes run at once (each takes a thread of libuv's pool of
// four, the same pool as file I/O): a flood of sign-ins waits in line instead of starving the rest.
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type { Db } from '../db/client';
import { Limiter } from '../runtime/limiter';
import { clearAccount } from './loginThrottle';
import { retryLostRaces } from '../db/retry';

export const ROLES = ['cip', 'coordinator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Staff {
  id: number;
  email: string;
  name: string;
  role: Role;
  mustChangePassword: boolean;
  /** the dashboard's language for this account */
  language: StaffLanguage;
}

export const STAFF_LANGUAGES = ['fr', 'en'] as const;
export type StaffLanguage = (typeof STAFF_LANGUAGES)[number];

/** A one-time password is refused at sign-in this long after it was made. */
export const ONE_TIME_PASSWORD_HOURS = 72;

const rawScrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;
// 2^15 x 8 x 128 bytes = 32 MiB of memory per hash: costly to guess by the billion, fine to check.
const COST = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 64;

/** How many hashes may run at once; the others wait their turn. */
export const HASH_SLOTS = 2;
const hashing = new Limiter(HASH_SLOTS);
let hashesRunning = 0;

/** The scrypt hashes running now (never more than HASH_SLOTS). */
export function hashesInFlight(): number {
  return hashesRunning;
}

function scrypt(password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions): Promise<Buffer> {
  return hashing.run(async () => {
    hashesRunning++;
    try {
      return await rawScrypt(password, salt, keylen, options);
    } finally {
      hashesRunning--;
    }
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...COST, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = (stored ?? '').split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') {
    // No password (or an unknown format): spend the same time anyway, then refuse.
    await scrypt(password, Buffer.alloc(16), KEY_LENGTH, { ...COST, maxmem: 64 * 1024 * 1024 });
    return false;
  }
  const [, N, r, p, salt, hash] = parts;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password.normalize('NFKC'), Buffer.from(salt, 'base64'), expected.length, {
    N: Number(N),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return crypto.timingSafeEqual(actual, expected);
}

/** A password to give out once: 16 characters easy to read aloud (no 0/O, 1/l/I). */
export function oneTimePassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return Array.from(crypto.randomBytes(16), (b) => alphabet[b % alphabet.length]).join('');
}

/** At least 12 characters, not only letters or only digits. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 12) return 'must be at least 12 characters';
  if (password.length > 200) return 'must be at most 200 characters';
  if (/^\p{L}+$/u.test(password) || /^\d+$/.test(password)) return 'must mix letters with digits or signs';
  return undefined;
}

function toStaff(u: {
  id: number;
  email: string;
  name: string;
  role: string;
  mustChangePassword: boolean;
  language: string;
}): Staff {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: (ROLES as readonly string[]).includes(u.role) ? (u.role as Role) : 'cip',
    mustChangePassword: u.mustChangePassword,
    language: u.language === 'en' ? 'en' : 'fr',
  };
}

/** Sets the dashboard's language of an account. */
export async function setStaffLanguage(db: Db, staffId: number, language: StaffLanguage): Promise<void> {
  await db.staffUser.update({ where: { id: staffId }, data: { language } });
}

/**
 * Creates an account (or gives an existing one a new password) with a one-time password; returns
 * it, to be handed to the person (it is not stored). A lock from wrong passwords ends with it.
 */
export async function createStaff(
  db: Db,
  input: { email: string; role: Role; name?: string },
  now = new Date(),
): Promise<{ staff: Staff; password: string; created: boolean }> {
  const email = input.email.trim().toLowerCase();
  const password = oneTimePassword();
  const passwordHash = await hashPassword(password);
  const existing = await db.staffUser.findUnique({ where: { email } });
  const fresh = { passwordHash, mustChangePassword: true, passwordSetAt: now };
  const user = existing
    ? await db.staffUser.update({
        where: { email },
        data: { role: input.role, ...(input.name && { name: input.name }), ...fresh, active: true },
      })
    : await db.staffUser.create({
        data: { email, role: input.role, name: input.name ?? email.split('@')[0], ...fresh },
      });
  await clearAccount(db, email);
  return { staff: toStaff(user), password, created: !existing };
}

function tokenHash(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export type SignIn =
  | { ok: true; token: string; expiresAt: Date; staff: Staff }
  /** wrong email or password (the same answer for both) */
  | { ok: false; reason: 'wrong' }
  /** the right one-time password, given out more than ONE_TIME_PASSWORD_HOURS ago */
  | { ok: false; reason: 'expired' }
  /** `hold` said to tell nothing (the account was locked while the password was being checked) */
  | { ok: false; reason: 'held' };

/** A one-time password not changed within ONE_TIME_PASSWORD_HOURS (or of unknown age) is refused. */
function oneTimeExpired(user: { mustChangePassword: boolean; passwordSetAt: Date | null }, now: Date): boolean {
  if (!user.mustChangePassword) return false;
  return !user.passwordSetAt || now.getTime() - user.passwordSetAt.getTime() > ONE_TIME_PASSWORD_HOURS * 3600_000;
}

/**
 * Checks an email and password; a session for the person when they match an active account.
 * `hold` is asked once the password is checked, before anything is decided: a burst of guesses
 * sent at once all pass the lock before the first is counted, and must not learn which one was
 * right once the lock has fallen.
 */
export async function signIn(
  db: Db,
  email: string,
  password: string,
  now: Date,
  hours: number,
  hold?: () => Promise<boolean>,
): Promise<SignIn> {
  const user = await db.staffUser.findUnique({ where: { email: email.trim().toLowerCase() } });
  const ok = await verifyPassword(password, user?.active ? user.passwordHash : null);
  if (hold && (await hold())) return { ok: false, reason: 'held' };
  if (!user || !user.active || !ok) return { ok: false, reason: 'wrong' };
  if (oneTimeExpired(user, now)) return { ok: false, reason: 'expired' };
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + hours * 3600_000);
  await retryLostRaces(() =>
    db.$transaction(async (tx) => {
      await tx.staffSession.create({ data: { tokenHash: tokenHash(token), staffUserId: user.id, expiresAt } });
      await tx.staffUser.update({ where: { id: user.id }, data: { lastLoginAt: now } });
    }),
  );
  return { ok: true, token, expiresAt, staff: toStaff(user) };
}

/** The member of staff a bearer token speaks for, if it is a live session of an active account. */
export async function staffOfToken(
  db: Db,
  token: string,
  now: Date,
): Promise<(Staff & { sessionId: number }) | undefined> {
  const session = await db.staffSession.findUnique({
    where: { tokenHash: tokenHash(token) },
    include: { staffUser: true },
  });
  if (!session || session.revokedAt || session.expiresAt <= now || !session.staffUser.active) return undefined;
  return { ...toStaff(session.staffUser), sessionId: session.id };
}

export async function signOut(db: Db, sessionId: number, now: Date): Promise<void> {
  await db.staffSession.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: now } });
}

export type PasswordChange = 'changed' | 'current_required' | 'current_wrong' | 'held';

/**
 * A new password chosen by the person; their other sessions end. After a one-time password it is
 * enough; later the current password must be given too (a session left open is not the person). `hold`:
 * as for signIn, asked once the current password is checked.
 */
export async function changePassword(
  db: Db,
  staffId: number,
  sessionId: number,
  input: { password: string; currentPassword?: string },
  now: Date,
  hold?: () => Promise<boolean>,
): Promise<PasswordChange> {
  const user = await db.staffUser.findUniqueOrThrow({ where: { id: staffId } });
  if (!user.mustChangePassword) {
    if (!input.currentPassword) return 'current_required';
    const right = await verifyPassword(input.currentPassword, user.passwordHash);
    if (hold && (await hold())) return 'held';
    if (!right) return 'current_wrong';
  }
  const passwordHash = await hashPassword(input.password);
  await retryLostRaces(() =>
    db.$transaction(async (tx) => {
      await tx.staffUser.update({
        where: { id: staffId },
        data: { passwordHash, mustChangePassword: false, passwordSetAt: now },
      });
      await tx.staffSession.updateMany({
        where: { staffUserId: staffId, revokedAt: null, id: { not: sessionId } },
        data: { revokedAt: now },
      });
    }),
  );
  return 'changed';
}
