// The routes of one part of the CIP API, declared one call each: the part's OpenAPI tag and the roles
// that may call its routes are said once, e.g.
//   const managers = routesFor(api, 'workshops', MANAGERS);
//   managers.post('/api/cip/workshops', 'Add a workshop', { body, response, status: 201 }, handler);
// A route on one record by :id names it in its options (byId): its :id parameter, the read and the 404 are
// then written once, and the handler is given the record found, e.g.
//   const workshop = byId('Workshop', (id) => prisma.workshop.findUnique({ where: { id } }));
//   managers.post('/api/cip/workshops/:id/sessions', 'Add a session', { record: workshop, body }, handler);
// Each call is Api.route with the same spec: the same checks, schemas and OpenAPI document.
import type { Role } from '../services/staff';
import { orNotFound, type RecordById } from './handlers';
import type { Api, ApiContext, RouteSpec } from './http';
import { idParams } from './schemas';

/** What a route says besides its method, path, summary, tag and roles: schemas, status, errors. */
export type RouteOptions<B, Q, P> = Omit<RouteSpec<B, Q, P>, 'method' | 'path' | 'summary' | 'tag' | 'roles'>;

type Handler<B, Q, P> = (ctx: ApiContext, input: { body: B; query: Q; params: P }) => Promise<unknown>;

/** What a route on one record by :id says: the record (its :id parameter goes without saying), schemas... */
type OnRecordOptions<T, B, Q> = Omit<RouteOptions<B, Q, unknown>, 'params'> & { record: RecordById<T> };

type OnRecordHandler<T, B, Q> = (ctx: ApiContext, input: { found: T; body: B; query: Q }) => Promise<unknown>;

interface Declare {
  /** A route on one record by :id: its handler is given the record (404 when `options.record` finds none). */
  <T, B = undefined, Q = undefined>(
    path: string,
    summary: string,
    options: OnRecordOptions<T, B, Q>,
    handler: OnRecordHandler<T, B, Q>,
  ): void;
  <B = undefined, Q = undefined, P = undefined>(
    path: string,
    summary: string,
    options: RouteOptions<B, Q, P>,
    handler: Handler<B, Q, P>,
  ): void;
}

export function routesFor(api: Api, tag: string, roles: readonly Role[] | 'public') {
  const declare =
    (method: RouteSpec<unknown, unknown, unknown>['method']): Declare =>
    (
      path: string,
      summary: string,
      options: RouteOptions<unknown, unknown, unknown> | OnRecordOptions<unknown, unknown, unknown>,
      handler: Handler<unknown, unknown, unknown> | OnRecordHandler<unknown, unknown, unknown>,
    ) => {
      if (!('record' in options)) {
        return api.route(
          { method, path, summary, tag, roles, ...options },
          handler as Handler<unknown, unknown, unknown>,
        );
      }
      const { record, ...rest } = options;
      const onRecord = handler as OnRecordHandler<unknown, unknown, unknown>;
      api.route(
        { method, path, summary, tag, roles, params: idParams, ...rest },
        async (ctx, { body, query, params }) =>
          onRecord(ctx, { found: await orNotFound(record.what, record.read(params.id, ctx)), body, query }),
      );
    };
  return {
    get: declare('get'),
    post: declare('post'),
    patch: declare('patch'),
    put: declare('put'),
    del: declare('del'),
  };
}
