// What a dashboard page's handler gets: the request, the member of staff and their language, the
// API's routes as them, and the page's answers (HTML, a redirect); and how pages are declared.
// (On its own: the pages and bot/dashboard/index.ts, which registers them, do not import each other.)
import type { Request, Response } from 'restify';
import type { Caller } from '../api/http';
import type { Staff } from '../services/staff';
import type { NavKey, words } from './render';
import type { DashboardLanguage } from './session';

export interface PageContext {
  req: Request;
  res: Response;
  language: DashboardLanguage;
  me: Staff;
  caller: Caller;
  t: ReturnType<typeof words>;
  /** htmx asked for a fragment */
  htmx: boolean;
  /** a route of the API, as this member of staff */
  call(
    method: 'get' | 'post' | 'patch' | 'del',
    apiPath: string,
    input?: { body?: unknown; query?: unknown; params?: unknown },
  ): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the API route's answer, as it is
  html(
    template: string,
    title: string,
    data?: Record<string, unknown>,
    options?: { status?: number; current?: NavKey; fragment?: boolean },
  ): Promise<void>;
  redirect(to: string): void;
  form(): Promise<Record<string, string>>;
}

export type PageHandler = (p: PageContext) => Promise<void>;
export interface Pages {
  get(path: string, handler: PageHandler, options?: { beforePasswordChange?: boolean }): void;
  post(path: string, handler: PageHandler, options?: { beforePasswordChange?: boolean }): void;
}
