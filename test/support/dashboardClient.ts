// The staff dashboard as a browser without scripts sees it: pages and form posts with the session
// cookie (and our page's Origin unless told), redirects not followed; accounts ready to sign in.
import type { App } from '../../bot/runtime/app';
import { createStaff, hashPassword, type Role } from '../../bot/services/staff';

export const DASHBOARD_PASSWORD = 'un mot de passe 2026';

export function dashboardClient(app: () => App) {
  /** A form post (form given) or a page. */
  async function send(
    path: string,
    options: {
      form?: Record<string, string>;
      cookie?: string;
      origin?: string | null;
      headers?: Record<string, string>;
    } = {},
  ) {
    const headers: Record<string, string> = { ...(options.cookie && { Cookie: options.cookie }), ...options.headers };
    if (options.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      if (options.origin !== null) headers.Origin = options.origin ?? app().url;
    }
    return fetch(`${app().url}${path}`, {
      method: options.form ? 'POST' : 'GET',
      headers,
      redirect: 'manual',
      ...(options.form && { body: new URLSearchParams(options.form).toString() }),
    });
  }

  /** Signs in; the cookie to send back, and the Set-Cookie header as it came. */
  async function signIn(
    email: string,
    headers: Record<string, string> = {},
  ): Promise<{ cookie: string; setCookie: string }> {
    const res = await send('/cip/login', { form: { email, password: DASHBOARD_PASSWORD }, headers });
    if (res.status !== 303) throw new Error(`sign-in of ${email}: ${res.status}`);
    const setCookie = res.headers.get('set-cookie') ?? '';
    return { cookie: setCookie.split(';')[0], setCookie };
  }

  /** An account whose one-time password was already replaced by DASHBOARD_PASSWORD. */
  async function account(email: string, role: Role = 'coordinator') {
    const { staff } = await createStaff(app().db.prisma, { email, role });
    await app().db.prisma.staffUser.update({
      where: { id: staff.id },
      data: { passwordHash: await hashPassword(DASHBOARD_PASSWORD), mustChangePassword: false },
    });
    return staff;
  }

  return { send, signIn, account };
}
