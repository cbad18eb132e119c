// Signing in and out: POST /api/cip/session (email and password) gives a bearer token with its
// expiry; DELETE signs out. A one-time password (npm run staff:create) must be replaced first
// (POST /api/cip/password). Repeated wrong passwords for one email from one address wait.
import { z } from 'zod';
import { changePassword, passwordProblem, signIn, signOut } from '../services/staff';
import { ANY_STAFF, ApiError, type Api, type ApiDeps } from './http';

const staff = z.object({ id: z.number().int(), email: z.string(), name: z.string(), role: z.string(), mustChangePassword: z.boolean() });

/** Failed sign-ins per email and address: after 10 in 15 minutes, the next ones wait. */
class Attempts {
  private readonly failures = new Map<string, number[]>();

  blocked(key: string, now: number): boolean {
    const recent = (this.failures.get(key) ?? []).filter((t) => now - t < 15 * 60_000);
    this.failures.set(key, recent);
    return recent.length >= 10;
  }

  failed(key: string, now: number) {
    this.failures.set(key, [...(this.failures.get(key) ?? []), now]);
    if (this.failures.size > 10000) this.failures.clear();
  }

  clear(key: string) {
    this.failures.delete(key);
  }
}

export function sessionRoutes(api: Api, { db }: ApiDeps, options: { sessionHours: number }): void {
  const attempts = new Attempts();
  api.route(
    {
      method: 'post',
      path: '/api/cip/session',
      summary: 'Sign in: a bearer token for the API',
      tag: 'session',
      roles: 'public',
      body: z.object({ email: z.string().trim().min(3).max(200), password: z.string().min(1).max(200) }),
      response: z.object({ token: z.string(), expiresAt: z.date(), staff }),
    },
    async (ctx, { body }) => {
      const key = `${body.email.toLowerCase()}|${ctx.ip}`;
      if (attempts.blocked(key, ctx.now.getTime())) throw new ApiError(429, 'TooManyAttempts', 'Too many wrong passwords: try again in 15 minutes.');
      const session = await signIn(db.prisma, body.email, body.password, ctx.now, options.sessionHours);
      if (!session) {
        attempts.failed(key, ctx.now.getTime());
        await ctx.audit({ action: 'login', resource: 'session', detail: { ok: false, email: body.email.toLowerCase() } });
        throw new ApiError(401, 'Unauthorized', 'Wrong email or password.');
      }
      attempts.clear(key);
      await db.prisma.auditEvent.create({ data: { staffUserId: session.staff.id, action: 'login', resource: 'session', ip: ctx.ip, detail: { ok: true } } });
      return session;
    },
  );

  api.route({ method: 'del', path: '/api/cip/session', summary: 'Sign out (the token stops working)', tag: 'session', roles: ANY_STAFF, beforePasswordChange: true }, async (ctx) => {
    await signOut(db.prisma, ctx.staff.sessionId, ctx.now);
    return { signedOut: true };
  });

  api.route({ method: 'get', path: '/api/cip/me', summary: 'Who I am signed in as', tag: 'session', roles: ANY_STAFF, beforePasswordChange: true, response: staff }, async (ctx) => {
    const { sessionId: _session, ...me } = ctx.staff;
    return me;
  });

  api.route(
    {
      method: 'post',
      path: '/api/cip/password',
      summary: 'Choose a new password (first of all after a one-time password); other sessions end',
      tag: 'session',
      roles: ANY_STAFF,
      beforePasswordChange: true,
      body: z.object({ password: z.string().superRefine((v, c) => { const p = passwordProblem(v); if (p) c.addIssue({ code: 'custom', message: p }); }) }),
    },
    async (ctx, { body }) => {
      await changePassword(db.prisma, ctx.staff.id, ctx.staff.sessionId, body.password, ctx.now);
      await ctx.audit({ action: 'update', resource: 'password', resourceId: ctx.staff.id });
      return { changed: true };
    },
  );
}
