// What the CIP API's route handlers share once http.ts has checked the request: a record or its 404,
// one page of a list with its total, the audit entry of a record, a service's refusals as API errors.
import { notFound, type ApiContext } from './http';

/** The record a query found, or 404 (`what`: one of the resources of api.errors.notFound). */
export async function orNotFound<T>(what: string, query: Promise<T | null>): Promise<T> {
  const found = await query;
  if (!found) throw notFound(what);
  return found;
}

/** One page of a list and the length of the whole list: `read` asks for both, given the page's take and skip. */
export async function page<T>(
  query: { limit: number; offset: number },
  read: (window: { take: number; skip: number }) => [Promise<T[]>, Promise<number>],
): Promise<{ items: T[]; total: number }> {
  const [items, total] = await Promise.all(read({ take: query.limit, skip: query.offset }));
  return { items, total };
}

/** The record an audit entry is about: its id, and the case it belongs to when it has one. */
export const about = (record: { id: number; beneficiaryId?: number | null }) => ({
  resourceId: record.id,
  beneficiaryId: record.beneficiaryId,
});

/** The audit entry of a case itself: the case is both the record and the person. */
export const aboutCase = (b: { id: number }) => ({ resourceId: b.id, beneficiaryId: b.id });

/** An update's audit detail: the fields the body changed. */
export const fieldsOf = (body: object) => ({ fields: Object.keys(body) });

/** The member of staff behind a request, as the actor of what the services record. */
export const byStaff = (ctx: ApiContext) => ({ type: 'staff' as const, id: ctx.staff.id });

/** A read's audit detail: the ids of the records shown. */
export const idsOf = (records: { id: number }[]) => ({ ids: records.map((r) => r.id) });
