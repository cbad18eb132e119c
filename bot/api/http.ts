// The CIP JSON API's plumbing: each route is declared once with its schemas (zod) and the roles
// that may call it; the same declaration checks requests and makes the OpenAPI document.
//   401  no valid bearer token (or an expired, revoked one)
//   403  a role that may not do this; a one-time password not changed yet
//   400  a body, query or path that does not fit the schema: field-level errors
//   404, 409  raised by the handlers (ApiError)
//   429  too many wrong passwords (Retry-After says when to try again)
// Every answer is JSON; errors are {"error": {"code", "message", "fields"?}}. Every answer under
// /api/cip, errors included, says Cache-Control: no-store: it may carry personal data, which no
// browser cache or proxy should keep.
import type { Request, Response, Server } from 'restify';
import { z, type ZodType } from 'zod';
import type { Database } from '../db/client';
import type { Logger } from '../logger';
import { clientAddress, NO_PROXY, type TrustedProxies } from '../http/clientAddress';
import { safeError } from '../logging/safeError';
import { staffOfToken, type Role, type Staff } from '../services/staff';

export interface FieldError {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: FieldError[],
    /** extra response headers, e.g. Retry-After */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, 'NotFound', `${what} not found.`);
export const conflict = (message: string) => new ApiError(409, 'Conflict', message);

export interface AuditEntry {
  /** read | create | update | archive | login | export */
  action: string;
  resource: string;
  resourceId?: string | number;
  beneficiaryId?: number | null;
  detail?: Record<string, unknown>;
}

export interface ApiContext {
  staff: Staff & { sessionId: number };
  ip: string;
  now: Date;
  /** writes an AuditEvent: who on the staff read or changed what */
  audit(entry: AuditEntry): Promise<void>;
}

export interface RouteSpec<B, Q, P> {
  method: 'get' | 'post' | 'patch' | 'put' | 'del';
  /** restify path, e.g. /api/cip/beneficiaries/:id */
  path: string;
  summary: string;
  tag: string;
  /** who may call it; "public": anyone (signing in) */
  roles: readonly Role[] | 'public';
  body?: ZodType<B>;
  query?: ZodType<Q>;
  params?: ZodType<P>;
  /** the answer's shape, for the OpenAPI document */
  response?: ZodType;
  status?: number;
  /** still allowed with a one-time password (changing it, signing out) */
  beforePasswordChange?: boolean;
  /** other answers the route may give, for the OpenAPI document: status -> description */
  errors?: Record<number, string>;
}

interface Declared {
  spec: RouteSpec<unknown, unknown, unknown>;
}

export interface ApiDeps {
  db: Database;
  log: Logger;
  now: () => Date;
  /** our reverse proxies (TRUST_PROXY): X-Forwarded-For is believed from them only */
  trustProxy?: TrustedProxies;
}

const MAX_BODY = 256 * 1024;
const ALL: readonly Role[] = ['cip', 'coordinator', 'admin'];
export const ANY_STAFF = ALL;
export const MANAGERS: readonly Role[] = ['coordinator', 'admin'];

/** The zod issues as field errors: "phone: must be a phone number". */
export function fieldErrors(error: z.ZodError, prefix: string): FieldError[] {
  return error.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'), message: i.message }));
}

export class Api {
  private readonly routes: Declared[] = [];

  constructor(
    private readonly server: Server,
    private readonly deps: ApiDeps,
  ) {
    server.pre((req: Request, res: Response, next: () => void) => {
      if (/^\/api\/cip(\/|$)/.test(req.path())) res.header('Cache-Control', 'no-store');
      next();
    });
  }

  route<B = undefined, Q = undefined, P = undefined>(spec: RouteSpec<B, Q, P>, handler: (ctx: ApiContext, input: { body: B; query: Q; params: P }) => Promise<unknown>): void {
    this.routes.push({ spec: spec as RouteSpec<unknown, unknown, unknown> });
    this.server[spec.method](spec.path, async (req: Request, res: Response) => {
      try {
        const body = await this.answer(req, spec, handler);
        res.send(spec.status ?? 200, body ?? {});
      } catch (err) {
        this.fail(res, err, req, spec.path);
      }
    });
  }

  private async answer<B, Q, P>(req: Request, spec: RouteSpec<B, Q, P>, handler: (ctx: ApiContext, input: { body: B; query: Q; params: P }) => Promise<unknown>) {
    const { db } = this.deps;
    const now = this.deps.now();
    const ip = clientAddress(req, this.deps.trustProxy ?? NO_PROXY);
    let staff: ApiContext['staff'] | undefined;
    if (spec.roles !== 'public') {
      const match = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
      staff = match ? await staffOfToken(db.prisma, match[1], now) : undefined;
      if (!staff) throw new ApiError(401, 'Unauthorized', 'Sign in first (POST /api/cip/session), then send "Authorization: Bearer <token>".');
      if (staff.mustChangePassword && !spec.beforePasswordChange) throw new ApiError(403, 'PasswordChangeRequired', 'Choose your own password first (POST /api/cip/password).');
      if (!spec.roles.includes(staff.role)) throw new ApiError(403, 'Forbidden', `Your role (${staff.role}) may not do this.`);
    }
    const input = {
      body: spec.body ? parse(spec.body, await readJson(req), 'body') : (undefined as B),
      query: spec.query ? parse(spec.query, req.query ?? {}, 'query') : (undefined as Q),
      params: spec.params ? parse(spec.params, req.params ?? {}, 'path') : (undefined as P),
    };
    const ctx: ApiContext = {
      staff: staff ?? { id: 0, email: '', name: '', role: 'cip', mustChangePassword: false, sessionId: 0 },
      ip,
      now,
      audit: async (entry) => {
        await db.prisma.auditEvent.create({
          data: {
            staffUserId: staff?.id ?? null,
            action: entry.action,
            resource: entry.resource,
            resourceId: entry.resourceId === undefined ? null : String(entry.resourceId),
            beneficiaryId: entry.beneficiaryId ?? null,
            ip,
            ...(entry.detail && { detail: entry.detail as object }),
          },
        });
      },
    };
    return handler(ctx, input);
  }

  private fail(res: Response, err: unknown, req: Request, route: string) {
    if (err instanceof ApiError) {
      res.send(err.status, { error: { code: err.code, message: err.message, ...(err.fields && { fields: err.fields }) } }, err.headers);
      return;
    }
    // Ours, not the caller's: logged (without the body, and without a database error's message,
    // which can quote the values of the query), a plain 500.
    this.deps.log.error({ method: req.method, route, err: safeError(err) }, 'cip api: request failed');
    res.send(500, { error: { code: 'InternalError', message: 'Something went wrong on our side; it is logged.' } });
  }

  /** The OpenAPI 3.1 document of every route declared. */
  openapi(info: { title: string; version: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    const schema = (s: ZodType, io: 'input' | 'output') => {
      const json = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
      delete json.$schema;
      return json;
    };
    for (const { spec } of this.routes) {
      const path = spec.path.replace(/:(\w+)/g, '{$1}');
      const parameters: unknown[] = [];
      for (const [where, s] of [['path', spec.params], ['query', spec.query]] as const) {
        if (!s) continue;
        const props = (schema(s, 'input').properties ?? {}) as Record<string, Record<string, unknown>>;
        const required = new Set((schema(s, 'input').required as string[] | undefined) ?? []);
        for (const [name, p] of Object.entries(props)) parameters.push({ name, in: where, required: where === 'path' || required.has(name), schema: p, ...(p.description ? { description: p.description } : {}) });
      }
      const errors = {
        ...(spec.body || spec.query || spec.params ? { 400: { description: 'Invalid input: field-level errors', content: { 'application/json': { schema: ERROR_SCHEMA } } } } : {}),
        ...(spec.roles !== 'public' ? { 401: { description: 'No valid bearer token' }, 403: { description: 'Not allowed for this role (or the one-time password is not changed yet)' } } : {}),
        ...Object.fromEntries(Object.entries(spec.errors ?? {}).map(([status, description]) => [status, { description, content: { 'application/json': { schema: ERROR_SCHEMA } } }])),
      };
      (paths[path] ??= {})[spec.method === 'del' ? 'delete' : spec.method] = {
        summary: spec.summary,
        tags: [spec.tag],
        ...(spec.roles !== 'public' && { security: [{ bearer: [] }], 'x-roles': spec.roles }),
        ...(parameters.length && { parameters }),
        ...(spec.body && { requestBody: { required: true, content: { 'application/json': { schema: schema(spec.body, 'input') } } } }),
        responses: {
          [spec.status ?? 200]: { description: 'OK', ...(spec.response && { content: { 'application/json': { schema: schema(spec.response, 'output') } } }) },
          ...errors,
        },
      };
    }
    return {
      openapi: '3.1.0',
      info,
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The token of POST /api/cip/session' } } },
      paths,
    };
  }
}

const ERROR_SCHEMA = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        fields: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
      },
      required: ['code', 'message'],
    },
  },
};

function parse<T>(schema: ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError(400, 'ValidationError', `The ${where} is not valid.`, fieldErrors(result.error, where === 'body' ? '' : where));
  return result.data;
}

/** The JSON body, at most 256 KB; 400 when it is not JSON, 413 when too big, 415 when not JSON at all. */
async function readJson(req: Request): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '');
  if (type && !/^application\/json\b/i.test(type)) throw new ApiError(415, 'UnsupportedMediaType', 'Send JSON (Content-Type: application/json).');
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) throw new ApiError(413, 'PayloadTooLarge', `A body is at most ${MAX_BODY} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, 'PayloadTooLarge', `A body is at most ${MAX_BODY} bytes.`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'InvalidJson', 'The body is not valid JSON.');
  }
}
