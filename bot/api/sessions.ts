// Signing in and out: POST /api/cip/session (email and password) gives a bearer token with its
// expiry; DELETE signs out. A one-time password (npm run staff:create) must be replaced first
// (POST /api/cip/password), within 72 hours. Wrong passwords are counted in the database, per
// account and per client address, for every instance (services/loginThrottle): past the limit, 429
// with Retry-After, even for the right password.
import { z } from 'zod';
import { accountFailed, clearAccount, loginFailed, loginLock, type LoginLock } from '../services/loginThrottle';
import {
  changePassword,
  ONE_TIME_PASSWORD_HOURS,
  passwordProblem,
  setStaffLanguage,
  signIn,
  signOut,
  STAFF_LANGUAGES,
} from '../services/staff';
import { ANY_STAFF, ApiError, apiError, invalid, type Api, type ApiDeps } from './http';
import { routesFor } from './routes';
import { int, timestamp } from './schemas';

const staff = z.object({
  id: int,
  email: z.string(),
  name: z.string(),
  role: z.string(),
  mustChangePassword: z.boolean(),
  language: z.enum(STAFF_LANGUAGES),
});

const newPassword = z.string().superRefine((v, c) => {
  const p = passwordProblem(v);
  if (p) c.addIssue({ code: 'custom', message: p });
});

/** 429 with Retry-After (whole seconds) and a message that says what happened and for how long. */
function locked(lock: LoginLock, now: Date): ApiError {
  const seconds = Math.max(1, Math.ceil((lock.until.getTime() - now.getTime()) / 1000));
  const minutes = Math.ceil(seconds / 60);
  const code = lock.scope === 'account' ? 'AccountLocked' : 'TooManyAttempts';
  return apiError(429, code, code, { minutes }, { headers: { 'Retry-After': String(seconds) } });
}

export function sessionRoutes(api: Api, { db }: ApiDeps, options: { sessionHours: number }): void {
  const anyone = routesFor(api, 'session', 'public');
  const anyStaff = routesFor(api, 'session', ANY_STAFF);
  anyone.post(
    '/api/cip/session',
    'Sign in: a bearer token for the API (429 with Retry-After after too many wrong passwords)',
    {
      body: z.object({ email: z.string().trim().min(3).max(200), password: z.string().min(1).max(200) }),
      response: z.object({ token: z.string(), expiresAt: timestamp, staff }),
      errors: {
        401:
          'Wrong email or password (Unauthorized), ' +
          'or a one-time password more than 72 hours old (OneTimePasswordExpired)',
        429:
          'Too many wrong passwords for the account (AccountLocked) or from the address (TooManyAttempts); ' +
          'Retry-After in seconds',
      },
    },
    async (ctx, { body }) => {
      const attempt = { email: body.email, address: ctx.ip };
      const email = body.email.toLowerCase();
      const refuse = async (lock: LoginLock) => {
        await ctx.audit({
          action: 'login',
          resource: 'session',
          detail: { ok: false, email, reason: `${lock.scope}_locked` },
        });
        return locked(lock, ctx.now);
      };
      const before = await loginLock(db.prisma, attempt, ctx.now);
      if (before) throw await refuse(before);
      // Asked again once the password is checked (other guesses may have locked it meanwhile).
      const lock = { now: undefined as LoginLock | undefined };
      const hold = async () => (lock.now = await loginLock(db.prisma, attempt, ctx.now)) !== undefined;
      const result = await signIn(db.prisma, body.email, body.password, ctx.now, options.sessionHours, hold);
      if (lock.now) throw await refuse(lock.now);
      if (!result.ok && result.reason === 'expired') {
        await ctx.audit({
          action: 'login',
          resource: 'session',
          detail: { ok: false, email, reason: 'one_time_password_expired' },
        });
        throw apiError(401, 'OneTimePasswordExpired', 'OneTimePasswordExpired', { hours: ONE_TIME_PASSWORD_HOURS });
      }
      if (!result.ok) {
        const nowLocked = await loginFailed(db.prisma, attempt, ctx.now);
        await ctx.audit({
          action: 'login',
          resource: 'session',
          detail: { ok: false, email, ...(nowLocked && { locked: nowLocked.scope }) },
        });
        throw apiError(401, 'Unauthorized', 'login.wrong');
      }
      await clearAccount(db.prisma, body.email);
      const { ok: _ok, ...session } = result;
      await db.prisma.auditEvent.create({
        data: { staffUserId: session.staff.id, action: 'login', resource: 'session', ip: ctx.ip, detail: { ok: true } },
      });
      return session;
    },
  );

  anyStaff.del(
    '/api/cip/session',
    'Sign out (the token stops working)',
    { beforePasswordChange: true },
    async (ctx) => {
      await signOut(db.prisma, ctx.staff.sessionId, ctx.now);
      return { signedOut: true };
    },
  );

  anyStaff.get('/api/cip/me', 'Who I am signed in as', { beforePasswordChange: true, response: staff }, async (ctx) => {
    const { sessionId: _session, ...me } = ctx.staff;
    return me;
  });

  anyStaff.patch(
    '/api/cip/me',
    "Change my account's settings: the dashboard's language (fr or en)",
    { beforePasswordChange: true, body: z.object({ language: z.enum(STAFF_LANGUAGES) }).strict(), response: staff },
    async (ctx, { body }) => {
      await setStaffLanguage(db.prisma, ctx.staff.id, body.language);
      const { sessionId: _session, ...me } = ctx.staff;
      return { ...me, language: body.language };
    },
  );

  anyStaff.post(
    '/api/cip/password',
    'Choose a new password: the current one is needed, except right after a one-time password; other sessions end',
    {
      beforePasswordChange: true,
      body: z.object({ currentPassword: z.string().min(1).max(200).optional(), password: newPassword }),
      errors: {
        403: 'The current password is wrong (WrongPassword); or not allowed for this role',
        429: 'The account is locked after too many wrong passwords (AccountLocked); Retry-After in seconds',
      },
    },
    async (ctx, { body }) => {
      // The current password is a password guess like any other: it counts towards the account's lock.
      const accountLock = async () => {
        const lock = await loginLock(db.prisma, { email: ctx.staff.email, address: ctx.ip }, ctx.now);
        return lock?.scope === 'account' ? lock : undefined;
      };
      const before = await accountLock();
      if (before) throw locked(before, ctx.now);
      const lock = { now: undefined as LoginLock | undefined };
      const outcome = await changePassword(
        db.prisma,
        ctx.staff.id,
        ctx.staff.sessionId,
        body,
        ctx.now,
        async () => (lock.now = await accountLock()) !== undefined,
      );
      if (lock.now) throw locked(lock.now, ctx.now);
      if (outcome === 'current_required')
        throw invalid([{ path: 'currentPassword', message: 'your current password is needed to choose a new one' }]);
      if (outcome === 'current_wrong') {
        await accountFailed(db.prisma, ctx.staff.email, ctx.now);
        await ctx.audit({
          action: 'update',
          resource: 'password',
          resourceId: ctx.staff.id,
          detail: { ok: false, reason: 'current_password_wrong' },
        });
        throw apiError(403, 'WrongPassword', 'WrongPassword');
      }
      await ctx.audit({ action: 'update', resource: 'password', resourceId: ctx.staff.id });
      return { changed: true };
    },
  );
}
