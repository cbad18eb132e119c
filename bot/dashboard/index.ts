// The staff dashboard at /cip/: server-rendered pages (Eta) with htmx for the small live parts (the
// alert count, acknowledging, a blocker's status). Every page is made of the JSON API's routes
// called in-process (Api.call) with the token of the browser's cookie: the same roles, scopes,
// rules and audit rows as the API, written once. Strict CSP: scripts and styles from /cip/static only.
import fs from 'node:fs';
import path from 'node:path';
import type { Request, Response, Server } from 'restify';
import type { Api, ApiLanguage, Caller } from '../api/http';
import { ApiError } from '../api/http';
import type { Database } from '../db/client';
import type { Logger } from '../runtime/logger';
import { clientAddress, type TrustedProxies } from '../http/clientAddress';
import { safeError } from '../runtime/safeError';
import { projectRoot } from '../runtime/paths';
import type { Staff } from '../services/staff';
import { render, words } from './render';
import {
  clearSessionCookie,
  cookieLanguage,
  cookies,
  keepAlive,
  languageCookie,
  overHttps,
  readForm,
  sameOrigin,
  SESSION_COOKIE,
  sessionCookie,
  setCookies,
} from './session';
import { personRoutes } from './people';
import { alertPages } from './alerts';
import { workshopPages } from './workshops';
import { structurePages } from './structures';
import { statsPages } from './stats';
import { broadcastPages } from './broadcasts';
import type { PageContext, PageHandler, Pages } from './pages';

export interface DashboardDeps {
  api: Api;
  db: Database;
  log: Logger;
  now: () => Date;
  trustProxy: TrustedProxies;
  timeZone: string;
  idleMinutes: number;
  sessionHours: number;
}

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

const STATIC: Record<string, { file: string; type: string }> = {
  'dashboard.css': {
    file: path.join(projectRoot, 'bot', 'dashboard', 'public', 'dashboard.css'),
    type: 'text/css; charset=utf-8',
  },
  'stats.js': {
    file: path.join(projectRoot, 'bot', 'dashboard', 'public', 'stats.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'chart.umd.min.js': {
    file: path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'htmx.min.js': { file: require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
};

export type { PageContext, PageHandler, Pages };

function headers(res: Response) {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('X-Frame-Options', 'DENY');
}

function send(res: Response, status: number, body: string) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(body);
}

export function registerDashboard(server: Server, deps: DashboardDeps): void {
  const { api, db, log } = deps;

  // A voice note or file of a person, in the dashboard (<audio src="/cip/media/...">): handed to the
  // media route (GET /webchat/media/:id) with the cookie's token as its bearer token, so that its
  // checks and its audit row apply as they are.
  server.pre((req: Request, _res: Response, next: () => void) => {
    const media = /^\/cip\/media\/([A-Za-z0-9_-]{32})$/.exec(req.path());
    // The CSV exports too (GET /api/cip/exports/<name>.csv): their scope, audit and format as they are.
    const csv = /^\/cip\/exports\/([a-z]+)\.csv$/.exec(req.path());
    if ((media || csv) && req.method === 'GET') {
      const token = cookies(req)[SESSION_COOKIE];
      if (token) req.headers.authorization = `Bearer ${token}`;
      const url = req.url ?? '';
      const query = url.includes('?') ? url.slice(url.indexOf('?')) : '';
      req.url = media ? `/webchat/media/${media[1]}` : `/api/cip/exports/${csv![1]}.csv${query}`;
      if (csv) req.headers['accept-language'] = cookieLanguage(req);
    }
    next();
  });

  server.get('/cip/static/:file', async (req: Request, res: Response) => {
    const entry = STATIC[String(req.params.file)];
    if (!entry) return send(res, 404, 'Not found');
    res.writeHead(200, {
      'Content-Type': entry.type,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    });
    fs.createReadStream(entry.file).pipe(res);
  });

  const caller = (req: Request, token: string | undefined): Caller => ({
    token,
    ip: clientAddress(req, deps.trustProxy),
    language: cookieLanguage(req) as ApiLanguage,
  });
  const secure = (req: Request) => overHttps(req, deps.trustProxy);

  async function alertCount(c: Caller): Promise<number | undefined> {
    const r = await api.call('get', '/api/cip/alerts', c, { query: { limit: '1' } }).catch(() => undefined);
    return r?.total;
  }

  function page(
    method: 'get' | 'post',
    path: string,
    handler: PageHandler | ((req: Request, res: Response) => Promise<void>),
    options: { auth: boolean; beforePasswordChange?: boolean },
  ) {
    server[method](path, async (req: Request, res: Response) => {
      headers(res);
      // The cookie's language until we know who it is; then the account's own.
      let language = cookieLanguage(req);
      let t = words(language);
      try {
        if (method !== 'get' && !sameOrigin(req))
          return send(
            res,
            403,
            render('error', { language, title: t('error.title') }, { message: t('error.origin') }, deps.timeZone),
          );
        if (!options.auth) return await (handler as (req: Request, res: Response) => Promise<void>)(req, res);
        const token = cookies(req)[SESSION_COOKIE];
        const c = caller(req, token);
        const me: Staff | undefined = token
          ? await api.call('get', '/api/cip/me', c).catch(() => undefined)
          : undefined;
        if (!me) {
          setCookies(res, [clearSessionCookie(secure(req))]);
          if (req.headers['hx-request']) {
            res.setHeader('HX-Redirect', '/cip/login');
            return send(res, 401, '');
          }
          res.redirect(303, '/cip/login', () => undefined);
          return;
        }
        language = me.language;
        t = words(language);
        c.language = language;
        if (me.mustChangePassword && !options.beforePasswordChange) {
          res.redirect(303, '/cip/password', () => undefined);
          return;
        }
        await keepAlive(db.prisma, token!, deps.now(), deps.idleMinutes, deps.sessionHours);
        const ctx: PageContext = {
          req,
          res,
          language,
          me,
          caller: c,
          t,
          htmx: !!req.headers['hx-request'],
          call: (m, p, input) => api.call(m, p, c, input),
          html: async (template, title, data = {}, o = {}) => {
            const count = o.fragment || me.mustChangePassword ? undefined : await alertCount(c);
            send(
              res,
              o.status ?? 200,
              render(
                template,
                {
                  language,
                  staff: me,
                  title,
                  current: o.current,
                  alertCount: count,
                  back: req.method === 'GET' ? req.url : undefined,
                },
                data,
                deps.timeZone,
              ),
            );
          },
          redirect: (to) => {
            res.redirect(303, to, () => undefined);
          },
          form: () => readForm(req),
        };
        await (handler as PageHandler)(ctx);
      } catch (err) {
        if (
          err instanceof ApiError &&
          (err.status === 404 || err.status === 403 || err.status === 400 || err.status === 409)
        ) {
          return send(
            res,
            err.status,
            render('error', { language, title: t('error.title') }, { message: err.messageIn(language) }, deps.timeZone),
          );
        }
        log.error({ method, route: path, err: safeError(err) }, 'dashboard: page failed');
        send(
          res,
          500,
          render('error', { language, title: t('error.title') }, { message: t('error.internal') }, deps.timeZone),
        );
      }
    });
  }

  // Signing in and out, the one-time password, the language.
  page(
    'get',
    '/cip/login',
    async (req, res) => {
      const language = cookieLanguage(req);
      send(
        res,
        200,
        render('login', { language, title: words(language)('login.title') }, { email: '' }, deps.timeZone),
      );
    },
    { auth: false },
  );

  page(
    'post',
    '/cip/login',
    async (req, res) => {
      const language = cookieLanguage(req);
      const form = await readForm(req);
      try {
        const session = await api.call('post', '/api/cip/session', caller(req, undefined), {
          body: { email: form.email ?? '', password: form.password ?? '' },
        });
        await keepAlive(db.prisma, session.token, deps.now(), deps.idleMinutes, deps.sessionHours);
        setCookies(res, [sessionCookie(session.token, secure(req))]);
        res.redirect(303, session.staff.mustChangePassword ? '/cip/password' : '/cip/', () => undefined);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        if (err.headers) for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
        send(
          res,
          err.status,
          render(
            'login',
            { language, title: words(language)('login.title') },
            {
              email: form.email ?? '',
              error: err.status === 400 ? words(language)('login.missing') : err.messageIn(language),
            },
            deps.timeZone,
          ),
        );
      }
    },
    { auth: false },
  );

  // The language switch: kept in the account when signed in (it follows the person to another
  // computer), and in a cookie for the sign-in page.
  page(
    'post',
    '/cip/language',
    async (req, res) => {
      const form = await readForm(req);
      const language = form.language === 'en' ? 'en' : 'fr';
      const token = cookies(req)[SESSION_COOKIE];
      if (token)
        await api.call('patch', '/api/cip/me', caller(req, token), { body: { language } }).catch(() => undefined);
      setCookies(res, [languageCookie(language, secure(req))]);
      const back = typeof form.back === 'string' && /^\/cip\/[\w/?=&%.-]*$/.test(form.back) ? form.back : '/cip/';
      res.redirect(303, back, () => undefined);
    },
    { auth: false },
  );

  const pages: Pages = {
    get: (p, h, o = {}) => page('get', p, h, { auth: true, ...o }),
    post: (p, h, o = {}) => page('post', p, h, { auth: true, ...o }),
  };

  pages.post(
    '/cip/logout',
    async (p) => {
      await p.call('del', '/api/cip/session');
      setCookies(p.res, [clearSessionCookie(secure(p.req))]);
      p.redirect('/cip/login');
    },
    { beforePasswordChange: true },
  );

  pages.get(
    '/cip/password',
    async (p) => p.html('password', p.t('password.title'), { oneTime: p.me.mustChangePassword }),
    { beforePasswordChange: true },
  );
  pages.post(
    '/cip/password',
    async (p) => {
      const form = await p.form();
      const body = {
        password: form.password ?? '',
        ...(form.currentPassword ? { currentPassword: form.currentPassword } : {}),
      };
      if (body.password !== form.confirm)
        return p.html(
          'password',
          p.t('password.title'),
          { oneTime: p.me.mustChangePassword, error: p.t('password.mismatch') },
          { status: 400 },
        );
      try {
        await p.call('post', '/api/cip/password', { body });
        p.redirect('/cip/?changed=1');
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        const detail = err
          .fieldsIn(p.language)
          ?.map((f) => f.message)
          .join(' ');
        return p.html(
          'password',
          p.t('password.title'),
          {
            oneTime: p.me.mustChangePassword,
            error: err.status === 400 ? p.t('password.rule') : err.messageIn(p.language),
            detail,
          },
          { status: err.status },
        );
      }
    },
    { beforePasswordChange: true },
  );

  pages.get('/cip', async (p) => {
    const today = await p.call('get', '/api/cip/today');
    await p.html('home', p.t('nav.home'), { today, changed: p.req.query?.changed === '1' }, { current: 'home' });
  });

  personRoutes(pages);
  alertPages(pages);
  workshopPages(pages, deps.timeZone);
  structurePages(pages);
  statsPages(pages);
  broadcastPages(pages, deps.timeZone);
}
