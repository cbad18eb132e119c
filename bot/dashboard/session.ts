// The dashboard's browser session. The cookie holds the bearer token of a StaffSession (the same
// session the JSON API knows, so that every page runs the API's checks); it is HttpOnly,
// SameSite=Strict, Path=/cip, Secure behind HTTPS. Idle timeout without a new column: each page
// moves the session's expiresAt to now + DASHBOARD_IDLE_MINUTES (never past its start +
// STAFF_SESSION_HOURS), so a browser left alone is signed out by the same expiry check as the API.
// Unsafe methods must come from our own origin (Origin header), the cookie's SameSite aside.
import crypto from 'node:crypto';
import type { Request, Response } from 'restify';
import type { Db } from '../db/client';
import type { TrustedProxies } from '../http/clientAddress';

export const SESSION_COOKIE = 'passerelle_cip';
export const LANGUAGE_COOKIE = 'passerelle_cip_lang';
export type DashboardLanguage = 'fr' | 'en';

export function cookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

/** HTTPS as the browser sees it: our own TLS, or a trusted reverse proxy that says so. */
export function overHttps(req: Request, trusted: TrustedProxies): boolean {
  if ((req as unknown as { isSecure(): boolean }).isSecure()) return true;
  return (
    trusted.has(req.socket.remoteAddress ?? '') &&
    String(req.headers['x-forwarded-proto'] ?? '')
      .split(',')[0]
      .trim() === 'https'
  );
}

function cookie(name: string, value: string, secure: boolean, maxAgeSeconds?: number): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    'Path=/cip',
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
    ...(maxAgeSeconds !== undefined ? [`Max-Age=${maxAgeSeconds}`] : []),
  ].join('; ');
}

export function setCookies(res: Response, values: string[]): void {
  const before = res.getHeader('Set-Cookie');
  res.setHeader('Set-Cookie', [...(Array.isArray(before) ? before : before ? [String(before)] : []), ...values]);
}

export const sessionCookie = (token: string, secure: boolean) => cookie(SESSION_COOKIE, token, secure);
export const clearSessionCookie = (secure: boolean) => cookie(SESSION_COOKIE, '', secure, 0);
export const languageCookie = (language: DashboardLanguage, secure: boolean) =>
  cookie(LANGUAGE_COOKIE, language, secure, 365 * 24 * 3600);

export function cookieLanguage(req: Request): DashboardLanguage {
  return cookies(req)[LANGUAGE_COOKIE] === 'en' ? 'en' : 'fr';
}

/** The same digest as services/staff: StaffSession keeps only the SHA-256 of its token. */
const tokenHash = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

/**
 * Pushes a live session's expiry to now + idle minutes, within its absolute end (its start +
 * sessionHours). Written at most once a minute per session. Nothing for a dead or unknown token.
 */
export async function keepAlive(
  db: Db,
  token: string,
  now: Date,
  idleMinutes: number,
  sessionHours: number,
): Promise<void> {
  const session = await db.staffSession.findUnique({ where: { tokenHash: tokenHash(token) } });
  if (!session || session.revokedAt || session.expiresAt <= now) return;
  const until = new Date(
    Math.min(session.createdAt.getTime() + sessionHours * 3600_000, now.getTime() + idleMinutes * 60_000),
  );
  if (Math.abs(until.getTime() - session.expiresAt.getTime()) < 60_000) return;
  await db.staffSession.updateMany({
    where: { id: session.id, revokedAt: null, expiresAt: { gt: now } },
    data: { expiresAt: until },
  });
}

/** An unsafe method (POST...) from another origin, or without an Origin, is refused. */
export function sameOrigin(req: Request): boolean {
  const origin = req.headers.origin;
  if (!origin || origin === 'null') return false;
  try {
    return new URL(origin).host === String(req.headers.host ?? '');
  } catch {
    return false;
  }
}

/** A form's fields (application/x-www-form-urlencoded, at most 64 KB). */
export async function readForm(req: Request): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}
