// The routes of one part of the CIP API, declared one call each: the part's OpenAPI tag and the roles
// that may call its routes are said once, e.g.
//   const managers = routesFor(api, 'workshops', MANAGERS);
//   managers.post('/api/cip/workshops', 'Add a workshop', { body, response, status: 201 }, handler);
// Each call is Api.route with the same spec: the same checks, schemas and OpenAPI document.
import type { Role } from '../services/staff';
import type { Api, ApiContext, RouteSpec } from './http';

/** What a route says besides its method, path, summary, tag and roles: schemas, status, errors. */
export type RouteOptions<B, Q, P> = Omit<RouteSpec<B, Q, P>, 'method' | 'path' | 'summary' | 'tag' | 'roles'>;

type Handler<B, Q, P> = (ctx: ApiContext, input: { body: B; query: Q; params: P }) => Promise<unknown>;

export function routesFor(api: Api, tag: string, roles: readonly Role[] | 'public') {
  const declare =
    (method: RouteSpec<unknown, unknown, unknown>['method']) =>
    <B = undefined, Q = undefined, P = undefined>(
      path: string,
      summary: string,
      options: RouteOptions<B, Q, P>,
      handler: Handler<B, Q, P>,
    ) =>
      api.route<B, Q, P>({ method, path, summary, tag, roles, ...options }, handler);
  return {
    get: declare('get'),
    post: declare('post'),
    patch: declare('patch'),
    put: declare('put'),
    del: declare('del'),
  };
}
