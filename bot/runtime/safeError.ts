// An error as it may be logged. Prisma's messages quote the query they refused ("Invalid
// `prisma.beneficiary.create()` invocation: { data: { phone: "+336...", firstName: ... } }"), and the
// databases' own messages can quote values too: for those, only the error's class, its code (P2002...),
// the model and operation and the fields named. Zod's issues: their paths and codes. JSON.parse's
// SyntaxError quotes the text it read: no message either. Other errors keep their message. Stacks
// keep their "at ..." lines only (the first line of a stack is the message again).

export interface SafeError {
  name: string;
  /** Prisma's error code, e.g. P2002 */
  code?: string;
  /** the model and operation of a Prisma call, e.g. beneficiary / create */
  model?: string;
  operation?: string;
  /** field names from the error (a unique constraint's fields, zod issue paths) */
  fields?: string[];
  /** only when the kind of error cannot quote personal data */
  message?: string;
  stack?: string;
}

const MAX_MESSAGE = 300;

export function isPrismaError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return /^(PrismaClient|DriverAdapterError)/.test(err.name) || 'clientVersion' in err;
}

function isZodError(err: Error): err is Error & { issues: { path: PropertyKey[]; code?: string }[] } {
  return err.name === 'ZodError' && Array.isArray((err as { issues?: unknown }).issues);
}

/** The "at ..." lines of the stack: where, never what. */
function frames(err: Error): string | undefined {
  const lines = (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
  return lines.length ? lines.slice(0, 12).join('\n') : undefined;
}

const identifier = (v: unknown): v is string => typeof v === 'string' && /^[\w$.]{1,64}$/.test(v);

export function safeError(err: unknown): SafeError {
  if (!(err instanceof Error)) return { name: err === null ? 'null' : typeof err };
  const name = identifier(err.name) ? err.name : 'Error';
  const stack = frames(err);
  if (isPrismaError(err)) {
    const { code, meta } = err as { code?: unknown; meta?: Record<string, unknown> };
    // "Invalid `prisma.beneficiary.create()` invocation" / "Invalid `db.prisma.contact.update()` invocation in ...":
    // identifiers only.
    const call = /Invalid `(?:[\w$]+\.)*?([\w$]+)\.([\w$]+)\(\)` invocation/.exec(err.message);
    const model = identifier(meta?.modelName) ? meta.modelName : call && call[1] !== 'prisma' ? call[1] : undefined;
    const cause = (meta?.driverAdapterError as { cause?: { constraint?: { fields?: unknown } } } | undefined)?.cause;
    const target = cause?.constraint?.fields ?? meta?.target;
    const fields = Array.isArray(target) ? target.filter(identifier) : undefined;
    return {
      name,
      ...(identifier(code) && { code }),
      ...(model && { model }),
      ...(call && { operation: call[2] }),
      ...(fields?.length && { fields }),
      ...(stack && { stack }),
    };
  }
  if (isZodError(err)) {
    const issues = err.issues.slice(0, 20);
    return {
      name,
      fields: issues.map((i) => i.path.map(String).join('.') || '(root)'),
      message: [...new Set(issues.map((i) => i.code ?? 'invalid'))].join(', '),
      ...(stack && { stack }),
    };
  }
  if (err instanceof SyntaxError) return { name, ...(stack && { stack }) };
  return { name, message: err.message.slice(0, MAX_MESSAGE), ...(stack && { stack }) };
}
