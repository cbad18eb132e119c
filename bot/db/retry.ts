// Lost races: a transaction that another writer (another server instance, another client on the
// same SQLite file) got in the way of. Running it again from the start, on fresh reads, gives the
// right answer; no such error should reach a person. One classification for every writer, from the
// forms Prisma 7 (and Prisma 6 before it) and its driver adapters really give (test/unit/retry.test.ts
// holds one of each, as provoked in test/integration/lostRaces.test.ts):
//   SQLite (better-sqlite3 adapter)
//     SQLITE_BUSY            another connection is writing: P1008 ("Operation has timed out"), or
//                            P2010 from a raw query, with meta.driverAdapterError.cause
//                            { originalCode: 'SQLITE_BUSY', kind: 'SocketTimeout' }
//     SQLITE_BUSY_SNAPSHOT   another connection wrote since this transaction read: the same, with
//                            originalCode 'SQLITE_BUSY_SNAPSHOT' (Prisma 6 left it unmapped: the code
//                            was on the error itself)
//     SQLITE_LOCKED(_*)      a table locked within the connection: unmapped, code on the error
//   PostgreSQL (pg adapter)
//     40001                  serialization failure: P2034 (TransactionWriteConflict), P2010 from a
//                            raw query; at COMMIT a bare DriverAdapterError whose cause has
//                            { originalCode: '40001', kind: 'TransactionWriteConflict' }
//     40P01                  deadlock: P2034, cause { originalCode: '40P01', kind: 'TransactionWriteConflict' }
//                            (Prisma 6: a bare DriverAdapterError, cause { kind: 'postgres', code and
//                            originalCode: '40P01' }); P2010 from a raw query
//   P2034                    Prisma's "write conflict or a deadlock", and `raceLost()` below
// A unique violation is not in it: whether "someone else created it" means "run again" (a booking
// made twice at once) or "it is there, use it" (reminders, check-ins) is the writer's to say.
import { setTimeout as sleep } from 'node:timers/promises';

const CODES = new Set(['P2034', '40001', '40P01']);
const SQLITE_CODE = /^SQLITE_(BUSY|LOCKED)(_|$)/;
const KINDS = new Set(['TransactionWriteConflict']);
// Only when an error carries no code (a wrapper that kept the message and nothing else).
const MESSAGES =
  /database (table )?is locked|could not serialize access|deadlock detected|write conflict or a deadlock/i;

interface ErrorLike {
  code?: unknown;
  originalCode?: unknown;
  kind?: unknown;
  message?: unknown;
  originalMessage?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

/** The error and what it wraps: `cause` (a driver adapter error's, an Error's) and Prisma's meta.driverAdapterError. */
function* layers(err: unknown, depth = 0): Generator<ErrorLike> {
  if (!err || typeof err !== 'object' || depth > 5) return;
  const e = err as ErrorLike;
  yield e;
  yield* layers(e.meta?.driverAdapterError, depth + 1);
  yield* layers(e.cause, depth + 1);
}

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** Another transaction got in the way: running this one again from the start gives the right answer. */
export function isLostRace(err: unknown): boolean {
  let coded = false;
  let message = false;
  for (const e of layers(err)) {
    for (const code of [text(e.code), text(e.originalCode)]) {
      if (code === undefined) continue;
      coded = true;
      if (CODES.has(code) || SQLITE_CODE.test(code)) return true;
    }
    if (KINDS.has(text(e.kind) ?? '')) return true;
    if (MESSAGES.test(text(e.originalMessage) ?? '') || MESSAGES.test(text(e.message) ?? '')) message = true;
  }
  return !coded && message;
}

const UNIQUE_CODES = new Set(['P2002', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', '23505']);

/**
 * A unique key refused the row: it is there already, or another writer was first. Prisma's client
 * says P2002; its raw queries P2010 with the driver adapter's cause (kind UniqueConstraintViolation,
 * originalCode SQLITE_CONSTRAINT_UNIQUE or 23505); better-sqlite3 itself (bot/db/sqlTransaction.ts)
 * an error whose code is SQLITE_CONSTRAINT_UNIQUE.
 */
export function isUniqueViolation(err: unknown): boolean {
  for (const e of layers(err)) {
    if (UNIQUE_CODES.has(text(e.code) ?? '') || UNIQUE_CODES.has(text(e.originalCode) ?? '')) return true;
    if (text(e.kind) === 'UniqueConstraintViolation') return true;
  }
  return false;
}

/**
 * Thrown inside a unit of work that saw another writer's change (a conditional update that found nothing): run it
 * again.
 */
export class LostRace extends Error {
  readonly code = 'P2034';
  constructor(message = 'lost a race with another transaction') {
    super(message);
    this.name = 'LostRace';
  }
}

export function raceLost(message?: string): never {
  throw new LostRace(message);
}

export interface RetryOptions {
  /** tries in all, the first one included (default 50) */
  attempts?: number;
  /** the pause before try n+1 is 1 ms + random * stepMs * min(n, 10) (default 5 ms: at most ~51 ms) */
  stepMs?: number;
  /** another error this writer wants to run again on (e.g. its own row created meanwhile) */
  alsoRetry?: (err: unknown) => boolean;
  /** told of each lost race before the pause (tests, logs) */
  onLostRace?: (err: unknown, attempt: number) => void;
  random?: () => number;
}

/**
 * Runs `work` (a whole transaction, or one statement: something that leaves nothing behind when it
 * fails) and runs it again after a lost race, after a short random pause so that the writers that
 * collided do not collide again. Any other error, or a lost race on the last try, is thrown.
 */
export async function retryLostRaces<T>(work: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { attempts = 50, stepMs = 5, alsoRetry, onLostRace, random = Math.random } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= attempts || !(isLostRace(err) || alsoRetry?.(err))) throw err;
      onLostRace?.(err, attempt);
      await sleep(1 + random() * stepMs * Math.min(attempt, 10));
    }
  }
}
