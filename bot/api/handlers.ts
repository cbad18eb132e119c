// What the CIP API's route handlers share once http.ts has checked the request: a record or its 404, a
// record answered once its read or change is audited, a case's records, a list or one page of it with its
// total (and a page of personal records, its read audited), the filters a query gives, the audit entry of a
// record.
import type { Db } from '../db/client';
import { notFound, type ApiContext } from './http';
import { caseInScope, inScope } from './scope';

/** The record a query found, or 404 (`what`: one of the resources of api.errors.notFound). */
export async function orNotFound<T>(what: string, query: Promise<T | null>): Promise<T> {
  const found = await query;
  if (!found) throw notFound(what);
  return found;
}

/**
 * The record a route is on, by its :id (see routesFor): its name in the 404 (one of api.errors.notFound), and its
 * read (null: none, or out of the member's scope).
 */
export interface RecordById<T> {
  what: string;
  read: (id: number, ctx: ApiContext) => Promise<T | null>;
}

export const byId = <T>(what: string, read: RecordById<T>['read']): RecordById<T> => ({ what, read });

/** A case's record (a blocker, a placement...) by id, found only if its case is in the member's scope. */
export const inScopeById = <T>(what: string, find: (where: ReturnType<typeof inScope>) => Promise<T | null>) =>
  byId(what, (id, ctx) => find(inScope(ctx.staff, id)));

/** The handler of a route changing a record (by id) as its body says, audited with the fields the body changed. */
export const updates =
  <T extends { id: number; beneficiaryId?: number | null }, B extends object>(
    resource: string,
    update: (id: number, body: B) => Promise<T>,
  ) =>
  async (ctx: ApiContext, { found, body }: { found: { id: number }; body: B }) =>
    audited(ctx, 'update', resource, await update(found.id, body), fieldsOf(body));

/** A whole list as the API answers it: the items and their number. */
export const all = <T>(items: T[]) => ({ items, total: items.length });

/**
 * The handler of a route listing a case's records of one kind (GET /api/cip/beneficiaries/:id/bookings, placements,
 * shifts...), read by `read` given the case's id and the query: 404 unless the case is in the member's scope; the
 * read is audited with the ids of the records.
 */
export const ofCase =
  <T extends { id: number }, Q = undefined>(
    db: Db,
    resource: string,
    read: (beneficiaryId: number, query: Q) => Promise<T[]>,
  ) =>
  async (ctx: ApiContext, { params, query }: { params: { id: number }; query: Q }) => {
    const b = await caseInScope(db, ctx.staff, params.id);
    const records = await read(b.id, query);
    await ctx.audit({ action: 'read', resource, beneficiaryId: b.id, detail: idsOf(records) });
    return all(records);
  };

/** A record read, created or changed (`action`), answered once its audit entry is written: the record, its case. */
export async function audited<T extends { id: number; beneficiaryId?: number | null }>(
  ctx: ApiContext,
  action: string,
  resource: string,
  record: T,
  detail?: Record<string, unknown>,
): Promise<T> {
  await ctx.audit({ action, resource, ...about(record), detail });
  return record;
}

/**
 * The filters a query gives, as equalities for a where clause: { status: 'open' } for ?status=open. A filter left
 * out, or given empty (?category=), filters nothing; false does (?active=false).
 */
export function given<Q extends object, K extends keyof Q>(query: Q, keys: readonly K[]) {
  return Object.fromEntries(
    keys.flatMap((k) => (query[k] === undefined || query[k] === '' ? [] : [[k, query[k]]])),
  ) as { [P in K]?: Exclude<Q[P], undefined> };
}

/** One page of a list and the length of the whole list: `read` asks for both, given the page's take and skip. */
export async function page<T>(
  query: { limit: number; offset: number },
  read: (window: { take: number; skip: number }) => [Promise<T[]>, Promise<number>],
): Promise<{ items: T[]; total: number }> {
  const [items, total] = await Promise.all(read({ take: query.limit, skip: query.offset }));
  return { items, total };
}

/**
 * One page of a list of personal records shown (see `page`): the read is audited with the ids of the records and
 * the query, and with `beneficiaryId` when the list is one case's.
 */
export async function shownPage<T extends { id: number }>(
  ctx: ApiContext,
  resource: string,
  query: { limit: number; offset: number },
  read: (window: { take: number; skip: number }) => [Promise<T[]>, Promise<number>],
  beneficiaryId?: number,
): Promise<{ items: T[]; total: number }> {
  const shown = await page(query, read);
  await ctx.audit({
    action: 'read',
    resource,
    ...(beneficiaryId && { beneficiaryId }),
    detail: { ...idsOf(shown.items), query },
  });
  return shown;
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
