// What the pages' forms share: the API's refusal as a form shows it (its sentence and its fields,
// in the staff member's language), and the managers-only pages.
import { ApiError, apiError, MANAGERS } from '../api/http';
import type { PageContext } from './pages';

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
