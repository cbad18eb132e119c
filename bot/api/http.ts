// The CIP JSON API's plumbing: each route is declared once with its schemas (zod) and the roles
// that may call it; the same declaration checks requests and makes the OpenAPI document.
//   401  no valid bearer token (or an expired, revoked one)
//   403  a role that may not do this; a one-time password not changed yet
//   400  a body, query or path that does not fit the schema: field-level errors
//   404, 409  raised by the handlers (ApiError)
//   429  too many wrong passwords (Retry-After says when to try again)
// Every answer is JSON; errors are {"error": {"code", "reason", "params", "message", "fields"?}}:
// `code` is the kind of error (NotFound, Conflict...), `reason` the stable key of this very refusal
// (e.g. placement.capacity) and `params` its values (days as YYYY-MM-DD); `message` is the sentence
// made of them in the caller's language (Accept-Language: fr, the default, or en), from the keys
// api.errors.<reason> of the locale files. Every answer under
// /api/cip, errors included, says Cache-Control: no-store: it may carry personal data, which no
// browser cache or proxy should keep.
import type { Request, Response, Server } from 'restify';
import { z, type ZodType } from 'zod';
import type { Database } from '../db/client';
import type { Logger } from '../runtime/logger';
import { clientAddress, NO_PROXY, type TrustedProxies } from '../http/clientAddress';
import { BodyTooLarge, readBody } from '../http/body';
import { safeError } from '../runtime/safeError';
import { staffOfToken, type Role, type Staff } from '../services/staff';
import { textOf } from '../i18n/translator';

export interface FieldError {
  path: string;
  message: string;
}

/**
 * The values of an error's message; a Date is a day (YYYY-MM-DD in params, in the words of the language in the
 * message).
 */
export type ErrorParams = Record<string, string | number | Date>;

/** The languages the API speaks to staff; French unless the caller asks for English. */
export type ApiLanguage = 'fr' | 'en';

export class ApiError extends Error {
  /** the stable key of this refusal (api.errors.<reason> in the locale files); the code when none */
  readonly reason: string;
  readonly params: ErrorParams;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: FieldError[],
    /** extra response headers, e.g. Retry-After */
    readonly headers?: Record<string, string>,
    options: { reason?: string; params?: ErrorParams } = {},
  ) {
    super(message);
    this.reason = options.reason ?? code;
    this.params = options.params ?? {};
  }

  /** The message in a language: api.errors.<reason>; the English message given when there is no such key. */
  messageIn(language: ApiLanguage): string {
    return errorText(language, this.reason, this.params) ?? this.message;
  }

  /** The field errors, their messages in a language. */
  fieldsIn(language: ApiLanguage): FieldError[] | undefined {
    return this.fields?.map((f) => ({ path: f.path, message: fieldMessage(language, f.message) }));
  }
}

/**
 * A field's message in a language. Our schemas' own messages are English sentences ("must not be
 * empty"); their translations are api.fields.<the sentence in snake case> in the locale files.
 * zod's own messages come already in the caller's language (its French locale), and go as they are.
 */
export function fieldMessage(language: ApiLanguage, message: string): string {
  if (language === 'en') return message;
  const key = `api.fields.${fieldMessageKey(message)}`;
  const text = textOf(language, key);
  return text === key ? message : text;
}

/**
 * "Must not be empty" -> must_not_be_empty (a trailing _one, _other... gets a _ more: i18next would take it for a
 * plural form).
 */
export const fieldMessageKey = (message: string) =>
  message
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/_(zero|one|two|few|many|other)$/, '_$1_');

const dayIn = (language: ApiLanguage, d: Date) =>
  language === 'fr' ? d.toISOString().slice(0, 10).split('-').reverse().join('/') : d.toISOString().slice(0, 10);

function errorText(language: ApiLanguage, reason: string, params: ErrorParams): string | undefined {
  const values = Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, v instanceof Date ? dayIn(language, v) : v]),
  );
  const key = `api.errors.${reason}`;
  const text = textOf(language, key, values);
  return text === key ? undefined : text;
}

/** An error of the API, its English message made from the locale files (api.errors.<reason>). */
export function apiError(
  status: number,
  code: string,
  reason: string,
  params: ErrorParams = {},
  extra: { fields?: FieldError[]; headers?: Record<string, string> } = {},
): ApiError {
  return new ApiError(status, code, errorText('en', reason, params) ?? reason, extra.fields, extra.headers, {
    reason,
    params,
  });
}

/** 404: `what` is one of the resources of api.errors.notFound (Beneficiary, Structure...). */
export const notFound = (what: string) => apiError(404, 'NotFound', `notFound.${what}`);
/** 409: a rule or the record's state says no; `reason` is a key of api.errors. */
export const conflict = (reason: string, params?: ErrorParams) => apiError(409, 'Conflict', reason, params);
/** 400 with field errors, like a schema's refusal. */
export const invalid = (fields: FieldError[], where: 'body' | 'query' | 'path' = 'body') =>
  apiError(400, 'ValidationError', `invalid.${where}`, {}, { fields });

/** The caller's language from Accept-Language: the first of fr and en by preference; French otherwise. */
export function requestLanguage(header: string | string[] | undefined): ApiLanguage {
  const ranked = String(header ?? '')
    .split(',')
    .map((part, i) => {
      const [tag, ...rest] = part.trim().toLowerCase().split(';');
      const q = rest.map((r) => /^\s*q=([\d.]+)/.exec(r)?.[1]).find(Boolean);
      return { lang: tag.split('-')[0], q: q === undefined ? 1 : Number(q), i };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return (ranked.find((r) => r.lang === 'fr' || r.lang === 'en')?.lang as ApiLanguage | undefined) ?? 'fr';
}

/** The JSON of an error: its code, reason, params (days as YYYY-MM-DD) and message in `language`. */
export function errorBody(err: ApiError, language: ApiLanguage) {
  const params = Object.fromEntries(
    Object.entries(err.params).map(([k, v]) => [k, v instanceof Date ? v.toISOString().slice(0, 10) : v]),
  );
  return {
    error: {
      code: err.code,
      reason: err.reason,
      params,
      message: err.messageIn(language),
      ...(err.fields && { fields: err.fieldsIn(language) }),
    },
  };
}

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
  handler?: (ctx: ApiContext, input: { body: unknown; query: unknown; params: unknown }) => Promise<unknown>;
}

/** Who calls a route in-process (the staff dashboard): the same token, address and language a request would carry. */
export interface Caller {
  /** the bearer token of a StaffSession (the dashboard's cookie holds it); none for public routes */
  token?: string;
  ip: string;
  language: ApiLanguage;
}

/** Where a call's input comes from: an HTTP request, or the dashboard's in-process call. */
interface Source {
  authorization: string;
  ip: string;
  language: ApiLanguage;
  body: () => Promise<unknown>;
  query: unknown;
  params: unknown;
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
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'),
    message: i.message,
  }));
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

  route<B = undefined, Q = undefined, P = undefined>(
    spec: RouteSpec<B, Q, P>,
    handler: (ctx: ApiContext, input: { body: B; query: Q; params: P }) => Promise<unknown>,
  ): void {
    this.routes.push({ spec: spec as RouteSpec<unknown, unknown, unknown>, handler: handler as Declared['handler'] });
    this.server[spec.method](spec.path, async (req: Request, res: Response) => {
      try {
        const body = await this.answer(req, spec, handler);
        res.send(spec.status ?? 200, body ?? {});
      } catch (err) {
        this.fail(res, err, req, spec.path);
      }
    });
  }

  /**
   * A route that writes its own answer, e.g. a file streamed as it is read from the database. The
   * same checks run first (token, role, query): their refusals are JSON, before the first byte.
   * A failure once the file has started cannot change the status any more: it is logged and the
   * connection cut, so that the caller sees an incomplete download rather than a complete-looking one.
   */
  download<Q = undefined, P = undefined>(
    spec: Omit<RouteSpec<undefined, Q, P>, 'body' | 'response'> & { contentType: string },
    handler: (ctx: ApiContext, input: { query: Q; params: P }, res: Response) => Promise<void>,
  ): void {
    this.routes.push({ spec: spec as RouteSpec<unknown, unknown, unknown> });
    this.server[spec.method](spec.path, async (req: Request, res: Response) => {
      try {
        await this.answer(req, spec, (ctx, input) => handler(ctx, input, res));
        if (!res.writableEnded) res.end();
      } catch (err) {
        if (!res.headersSent) return this.fail(res, err, req, spec.path);
        this.deps.log.error(
          { method: req.method, route: spec.path, err: safeError(err) },
          'cip api: download failed midway',
        );
        res.destroy();
      }
    });
  }

  /**
   * Runs a declared route in-process, as a request with `caller`'s token would: the same token,
   * role and password checks, schemas, scope rules and audit rows (the staff dashboard's pages are
   * made of these calls). Resolves with the route's answer; rejects with its ApiError.
   */
  async call(
    method: RouteSpec<unknown, unknown, unknown>['method'],
    path: string,
    caller: Caller,
    input: { body?: unknown; query?: unknown; params?: unknown } = {},
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each route's answer, checked by its own schema
  ): Promise<any> {
    const found = this.routes.find((r) => r.spec.method === method && r.spec.path === path && r.handler);
    if (!found) throw new Error(`no route ${method} ${path}`);
    return this.run(found.spec, found.handler!, {
      authorization: caller.token ? `Bearer ${caller.token}` : '',
      ip: caller.ip,
      language: caller.language,
      body: async () => input.body ?? {},
      query: input.query ?? {},
      params: input.params ?? {},
    });
  }

  private answer<B, Q, P>(
    req: Request,
    spec: RouteSpec<B, Q, P>,
    handler: (ctx: ApiContext, input: { body: B; query: Q; params: P }) => Promise<unknown>,
  ) {
    return this.run(spec, handler, {
      authorization: String(req.headers.authorization ?? ''),
      ip: clientAddress(req, this.deps.trustProxy ?? NO_PROXY),
      language: requestLanguage(req.headers['accept-language']),
      body: () => readJson(req),
      query: req.query ?? {},
      params: req.params ?? {},
    });
  }

  private async run<B, Q, P>(
    spec: RouteSpec<B, Q, P>,
    handler: (ctx: ApiContext, input: { body: B; query: Q; params: P }) => Promise<unknown>,
    source: Source,
  ) {
    const { db } = this.deps;
    const now = this.deps.now();
    const { ip, language } = source;
    let staff: ApiContext['staff'] | undefined;
    if (spec.roles !== 'public') {
      const match = /^Bearer\s+(\S+)$/i.exec(source.authorization);
      staff = match ? await staffOfToken(db.prisma, match[1], now) : undefined;
      if (!staff) throw apiError(401, 'Unauthorized', 'Unauthorized');
      if (staff.mustChangePassword && !spec.beforePasswordChange)
        throw apiError(403, 'PasswordChangeRequired', 'PasswordChangeRequired');
      if (!spec.roles.includes(staff.role)) throw apiError(403, 'Forbidden', 'Forbidden', { role: staff.role });
    }
    const input = {
      body: spec.body ? parse(spec.body, await source.body(), 'body', language) : (undefined as B),
      query: spec.query ? parse(spec.query, source.query, 'query', language) : (undefined as Q),
      params: spec.params ? parse(spec.params, source.params, 'path', language) : (undefined as P),
    };
    const ctx: ApiContext = {
      staff: staff ?? {
        id: 0,
        email: '',
        name: '',
        role: 'cip',
        mustChangePassword: false,
        language: 'fr',
        sessionId: 0,
      },
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
    const language = requestLanguage(req.headers['accept-language']);
    if (err instanceof ApiError) {
      res.send(err.status, errorBody(err, language), err.headers);
      return;
    }
    // Ours, not the caller's: logged (without the body, and without a database error's message,
    // which can quote the values of the query), a plain 500.
    this.deps.log.error({ method: req.method, route, err: safeError(err) }, 'cip api: request failed');
    res.send(500, errorBody(apiError(500, 'InternalError', 'InternalError'), language));
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
      for (const [where, s] of [
        ['path', spec.params],
        ['query', spec.query],
      ] as const) {
        if (!s) continue;
        const props = (schema(s, 'input').properties ?? {}) as Record<string, Record<string, unknown>>;
        const required = new Set((schema(s, 'input').required as string[] | undefined) ?? []);
        for (const [name, p] of Object.entries(props))
          parameters.push({
            name,
            in: where,
            required: where === 'path' || required.has(name),
            schema: p,
            ...(p.description ? { description: p.description } : {}),
          });
      }
      const errors = {
        ...(spec.body || spec.query || spec.params
          ? {
              400: {
                description: 'Invalid input: field-level errors',
                content: { 'application/json': { schema: ERROR_SCHEMA } },
              },
            }
          : {}),
        ...(spec.roles !== 'public'
          ? {
              401: { description: 'No valid bearer token' },
              403: { description: 'Not allowed for this role (or the one-time password is not changed yet)' },
            }
          : {}),
        ...Object.fromEntries(
          Object.entries(spec.errors ?? {}).map(([status, description]) => [
            status,
            { description, content: { 'application/json': { schema: ERROR_SCHEMA } } },
          ]),
        ),
      };
      (paths[path] ??= {})[spec.method === 'del' ? 'delete' : spec.method] = {
        summary: spec.summary,
        tags: [spec.tag],
        ...(spec.roles !== 'public' && { security: [{ bearer: [] }], 'x-roles': spec.roles }),
        ...(parameters.length && { parameters }),
        ...(spec.body && {
          requestBody: { required: true, content: { 'application/json': { schema: schema(spec.body, 'input') } } },
        }),
        responses: {
          [spec.status ?? 200]: {
            description: 'OK',
            ...(spec.response && { content: { 'application/json': { schema: schema(spec.response, 'output') } } }),
            ...('contentType' in spec && { content: { [String(spec.contentType)]: { schema: { type: 'string' } } } }),
          },
          ...errors,
        },
      };
    }
    return {
      openapi: '3.1.0',
      info,
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'The token of POST /api/cip/session' },
        },
      },
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
        reason: {
          type: 'string',
          description: 'the stable key of this refusal (api.errors.<reason> in the locale files)',
        },
        params: { type: 'object', description: 'the values of the message (days as YYYY-MM-DD)' },
        message: { type: 'string', description: "in the caller's language (Accept-Language: fr by default, or en)" },
        fields: {
          type: 'array',
          items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
        },
      },
      required: ['code', 'reason', 'message'],
    },
  },
};

/** zod's own messages in French (the messages written in our schemas stay as written). */
const FRENCH_ZOD = z.locales.fr();

function parse<T>(schema: ZodType<T>, value: unknown, where: string, language: ApiLanguage): T {
  const result = schema.safeParse(value, language === 'fr' ? { error: FRENCH_ZOD.localeError } : undefined);
  if (!result.success)
    throw invalid(fieldErrors(result.error, where === 'body' ? '' : where), where as 'body' | 'query' | 'path');
  return result.data;
}

/** The JSON body, at most 256 KB; 400 when it is not JSON, 413 when too big, 415 when not JSON at all. */
async function readJson(req: Request): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '');
  if (type && !/^application\/json\b/i.test(type)) throw apiError(415, 'UnsupportedMediaType', 'UnsupportedMediaType');
  let raw: Buffer;
  try {
    raw = await readBody(req, MAX_BODY);
  } catch (err) {
    throw err instanceof BodyTooLarge ? apiError(413, 'PayloadTooLarge', 'PayloadTooLarge', { max: MAX_BODY }) : err;
  }
  const text = raw.toString('utf8');
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw apiError(400, 'InvalidJson', 'InvalidJson');
  }
}
