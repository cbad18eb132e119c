// What the pages' forms share: the API's refusal as a form shows it (its sentence and its fields,
// in the staff member's language), the managers-only pages, the new/change pages of a record and
// the forms on a record's page.
import { ApiError, apiError, MANAGERS } from '../api/http';
import type { PageContext, Pages } from './pages';
import type { NavKey } from './render';

export type Problem = { message: string; fields: { path: string; message: string }[] };

/** The API's refusal as the form shows it; anything else (a bug, a lost session) is not the form's. */
export function problem(err: unknown, p: PageContext): Problem {
  if (!(err instanceof ApiError) || err.status >= 500 || err.status === 401) throw err;
  return { message: err.messageIn(p.language), fields: err.fieldsIn(p.language) ?? [] };
}

export const statusOf = (err: unknown) => (err as ApiError).status;
export const isManager = (p: PageContext) => MANAGERS.includes(p.me.role);

/** The API's own 403, for a page that only shows a form the API would refuse to a CIP. */
export function managersOnly(p: PageContext): void {
  if (!isManager(p)) throw apiError(403, 'Forbidden', 'Forbidden', { role: p.me.role });
}

/** A record that coordinators and admins add and change with one form (a structure, a workshop). */
export interface RecordForm<R> {
  /** the pages: `${page}/new` and `${page}/:id/edit` */
  page: string;
  /** the API's routes: POST `${api}`, GET and PATCH `${api}/:id` */
  api: string;
  /** the form's view and the navigation entry it is under */
  view: string;
  nav: NavKey;
  /** the record's name in the view's data */
  name: string;
  title: (p: PageContext, record?: R) => string;
  /** what else the view shows (the choices of a list...) */
  data: Record<string, unknown>;
  /** the first values of a new record */
  blank: Record<string, unknown>;
  /** a record's values as the form shows them */
  values: (record: R) => Record<string, unknown>;
  /** the API's body made of the form */
  body: (form: Record<string, string>, creating: boolean) => unknown;
  /** where a saved record takes one */
  saved: (id: number | string) => string;
}

/**
 * The new and change pages of a record: each shows the form (to managers: the API would refuse a
 * CIP), and its POST is the API's route: saved, or the form again with the API's refusal.
 */
export function recordForms<R extends { id: number }>(pages: Pages, f: RecordForm<R>): void {
  const show = (p: PageContext, values: Record<string, unknown>, record?: R, error?: Problem, status = 200) =>
    p.html(
      f.view,
      f.title(p, record),
      { values, ...f.data, ...(record && { [f.name]: record }), ...(error && { error }) },
      { current: f.nav, status },
    );
  const record = (p: PageContext, id: string): Promise<R> => p.call('get', `${f.api}/:id`, { params: { id } });

  pages.get(`${f.page}/new`, async (p) => {
    managersOnly(p);
    await show(p, f.blank);
  });
  pages.post(`${f.page}/new`, async (p) => {
    const form = await p.form();
    try {
      const created = await p.call('post', f.api, { body: f.body(form, true) });
      p.redirect(f.saved(created.id));
    } catch (err) {
      await show(p, form, undefined, problem(err, p), statusOf(err));
    }
  });
  pages.get(`${f.page}/:id/edit`, async (p) => {
    const r = await record(p, String(p.req.params.id));
    managersOnly(p);
    await show(p, f.values(r), r);
  });
  pages.post(`${f.page}/:id/edit`, async (p) => {
    const id = String(p.req.params.id);
    const r = await record(p, id);
    const form = await p.form();
    try {
      await p.call('patch', `${f.api}/:id`, { params: { id }, body: f.body(form, false) });
      p.redirect(f.saved(id));
    } catch (err) {
      await show(p, form, r, problem(err, p), statusOf(err));
    }
  });
}

/** A form on a record's page: POST `path` (its :id the record's). */
export interface PageForm {
  path: string;
  /** the API's call made of the form */
  run: (p: PageContext, id: string, form: Record<string, string>) => Promise<unknown>;
  /** where the browser goes once the call is done */
  saved: (id: string) => string;
  /** the record's page again, with the API's refusal and what was typed */
  again: (p: PageContext, id: string, error: Problem, form: Record<string, string>, status: number) => Promise<void>;
}

/** The POST of a form on a record's page: the API's call, then `saved`; refused, the page again (a 404 stays one). */
export function pageForm(pages: Pages, f: PageForm): void {
  pages.post(f.path, async (p) => {
    const id = String(p.req.params.id);
    const form = await p.form();
    try {
      await f.run(p, id, form);
      p.redirect(f.saved(id));
    } catch (err) {
      const error = problem(err, p);
      if (statusOf(err) === 404) throw err;
      await f.again(p, id, error, form, statusOf(err));
    }
  });
}
