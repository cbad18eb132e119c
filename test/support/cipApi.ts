// Calling the CIP API of a running test app as a member of staff.
import type { App } from '../../bot/runtime/app';
import { createStaff, type Role } from '../../bot/services/staff';

export interface StaffClient {
  id: number;
  token: string;
  /** a request with this member's token; the body (JSON) and status */
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

let counter = 0;

/** A staff account of `role`, signed in, its one-time password already replaced. */
export async function signedIn(
  app: Pick<App, 'url' | 'db'>,
  role: Role,
  email = `${role}${++counter}@passerelle.test`,
): Promise<StaffClient> {
  const { staff, password } = await createStaff(app.db.prisma, { email, role, name: `${role} ${counter}` });
  const first = await request(app, 'POST', '/api/cip/session', { email, password });
  if (first.status !== 200) throw new Error(`sign-in answered ${first.status}`);
  const changed = await request(app, 'POST', '/api/cip/password', { password: 'a new password 123' }, first.body.token);
  if (changed.status !== 200) throw new Error(`password change answered ${changed.status}`);
  const token = first.body.token as string;
  return { id: staff.id, token, call: (method, path, body) => request(app, method, path, body, token) };
}

/**
 * A request to the API. It asks for English (the API speaks French by default) so that the tests
 * read the messages their assertions were written with; a test of French passes its own header.
 */
export async function request(
  app: Pick<App, 'url'>,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: {
      'Accept-Language': 'en',
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
      ...(token && { Authorization: `Bearer ${token}` }),
      ...headers,
    },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, body: parsed };
}

/** An answer's error as the API writes it: its code, stable reason and message, and its values (none unless told). */
export const apiError = (code: string, reason: string, message: string, params: object = {}) => ({
  code,
  reason,
  params,
  message,
});

/** The paths of the fields a 400 names, sorted. */
export const fieldPaths = (res: { body: { error: { fields: { path: string }[] } } }): string[] =>
  res.body.error.fields.map((f) => f.path).sort();

let cases = 0;

/** A case opened by this member of staff (a first name, and `fields`); its id. */
export async function openCase(client: StaffClient, fields: object = {}): Promise<number> {
  return (await client.call('POST', '/api/cip/beneficiaries', { firstName: `Case${++cases}`, ...fields })).body.id;
}

/** The eight languages, in the order the API's schemas list them (written out: what the tests expect). */
export const API_LANGUAGES = ['fr', 'en', 'ar', 'fa', 'ps', 'ti', 'ru', 'uk'];
