// The lost-race classification (bot/db/retry.ts) with each error class, shaped as Prisma 7 (and
// Prisma 6 before it) and the driver adapters raise them (test/integration/lostRaces.test.ts
// provokes the real ones and checks the same fields), and the retry loop: bounded, only after a
// lost race, with a short pause.
import { DatabaseError } from 'pg';
import { Prisma } from '../../prisma/generated/sqlite/client';
import { PlacementRefused } from '../../bot/services/placements';
import { isLostRace, isUniqueViolation, LostRace, raceLost, retryLostRaces } from '../../bot/db/retry';

const clientVersion = '6.19.3';

/** What node-postgres itself throws (SQL of our own on the pool, bot/db/postgresStatements.ts). */
const pgError = (code: string, message: string) =>
  Object.assign(new DatabaseError(message, message.length, 'error'), { code, severity: 'ERROR' });

/** What a Prisma operation throws: PrismaClientKnownRequestError with a code and meta. */
const known = (code: string, message: string, meta?: Record<string, unknown>) =>
  new Prisma.PrismaClientKnownRequestError(message, { code, clientVersion, meta });

/** @prisma/driver-adapter-utils' DriverAdapterError: name, message from the payload, the payload as `cause`. */
function driverAdapterError(cause: Record<string, unknown>) {
  const err = new Error(typeof cause.message === 'string' ? cause.message : String(cause.kind));
  return Object.assign(err, { name: 'DriverAdapterError', cause });
}
/** Prisma keeps the adapter's error as meta.driverAdapterError. */
const adapterMeta = driverAdapterError;

const sqliteBusy = { originalCode: 'SQLITE_BUSY', originalMessage: 'database is locked', kind: 'SocketTimeout' };
const sqliteBusySnapshot = { ...sqliteBusy, originalCode: 'SQLITE_BUSY_SNAPSHOT' };
const pgSerialization = {
  originalCode: '40001',
  originalMessage: 'could not serialize access due to concurrent update',
  kind: 'TransactionWriteConflict',
};
const pgDeadlock = {
  originalCode: '40P01',
  originalMessage: 'deadlock detected',
  kind: 'postgres',
  code: '40P01',
  severity: 'ERROR',
  message: 'deadlock detected',
  detail: 'Process 1 waits for ShareLock on transaction 2; blocked by process 3.',
  hint: 'See server log for query details.',
};

const pgCheck = {
  originalCode: '23514',
  originalMessage: 'new row for relation "RetryCheck" violates check constraint "RetryCheck_n_check"',
  kind: 'postgres',
  code: '23514',
  severity: 'ERROR',
  message: 'new row for relation "RetryCheck" violates check constraint "RetryCheck_n_check"',
  detail: 'Failing row contains (-1).',
};

describe('lost races', () => {
  test.each([
    [
      'SQLite busy, a model operation (P1008)',
      known('P1008', 'Operation has timed out', { modelName: 'Booking', driverAdapterError: adapterMeta(sqliteBusy) }),
    ],
    [
      'SQLite busy, a raw query (P2010)',
      known('P2010', 'Raw query failed. Code: `SQLITE_BUSY`. Message: `database is locked`', {
        driverAdapterError: adapterMeta(sqliteBusy),
      }),
    ],
    [
      'SQLite stale snapshot (code on the error)',
      known('SQLITE_BUSY_SNAPSHOT', 'database is locked', { modelName: 'WorkshopSession' }),
    ],
    ['SQLite stale snapshot, a raw query', known('SQLITE_BUSY_SNAPSHOT', 'database is locked')],
    [
      'SQLite stale snapshot, a model operation (Prisma 7: P1008)',
      known('P1008', 'Operation has timed out', {
        modelName: 'WorkshopSession',
        driverAdapterError: adapterMeta(sqliteBusySnapshot),
      }),
    ],
    [
      'SQLite locked table (code on the error)',
      known('SQLITE_LOCKED', 'database table is locked', { modelName: 'Booking' }),
    ],
    [
      'better-sqlite3 itself: SqliteError SQLITE_BUSY',
      Object.assign(new Error('database is locked'), { name: 'SqliteError', code: 'SQLITE_BUSY' }),
    ],
    [
      'PostgreSQL serialization failure, a model operation (P2034)',
      known('P2034', 'Transaction failed due to a write conflict or a deadlock. Please retry your transaction', {
        modelName: 'Beneficiary',
        driverAdapterError: adapterMeta(pgSerialization),
      }),
    ],
    [
      'PostgreSQL serialization failure, a raw query (P2010)',
      known(
        'P2010',
        'Raw query failed. Code: `40001`. Message: `could not serialize access due to concurrent update`',
        { driverAdapterError: adapterMeta(pgSerialization) },
      ),
    ],
    [
      'PostgreSQL serialization failure at COMMIT (a bare DriverAdapterError)',
      driverAdapterError({
        ...pgSerialization,
        originalMessage: 'could not serialize access due to read/write dependencies among transactions',
      }),
    ],
    [
      'PostgreSQL deadlock, a model operation (a bare DriverAdapterError)',
      Object.assign(driverAdapterError(pgDeadlock), { clientVersion }),
    ],
    [
      'PostgreSQL deadlock, a model operation (Prisma 7: P2034)',
      known('P2034', 'Transaction failed due to a write conflict or a deadlock. Please retry your transaction', {
        modelName: 'Booking',
        driverAdapterError: adapterMeta({
          originalCode: '40P01',
          originalMessage: 'deadlock detected',
          kind: 'TransactionWriteConflict',
        }),
      }),
    ],
    [
      'PostgreSQL deadlock, a raw query (P2010)',
      known('P2010', 'Raw query failed. Code: `40P01`. Message: `deadlock detected`', {
        driverAdapterError: adapterMeta(pgDeadlock),
      }),
    ],
    ['node-postgres: a deadlock (40P01)', pgError('40P01', 'deadlock detected')],
    [
      'node-postgres: a serialization failure (40001)',
      pgError('40001', 'could not serialize access due to concurrent update'),
    ],
    [
      'raceLost(): a conditional update found the row changed',
      (() => {
        try {
          raceLost();
        } catch (e) {
          return e;
        }
      })(),
    ],
    [
      'a wrapper that kept the cause',
      new Error('booking failed', { cause: known('SQLITE_BUSY_SNAPSHOT', 'database is locked') }),
    ],
    ['a wrapper that kept only the message', new Error('deadlock detected')],
  ])('%s: a lost race', (_, err) => {
    expect(isLostRace(err)).toBe(true);
  });

  test.each([
    [
      'SQLite unique violation (P2002)',
      known('P2002', 'Unique constraint failed on the fields: (`phone`)', {
        modelName: 'Beneficiary',
        driverAdapterError: adapterMeta({
          originalCode: 'SQLITE_CONSTRAINT_UNIQUE',
          originalMessage: 'UNIQUE constraint failed: Beneficiary.phone',
          kind: 'UniqueConstraintViolation',
          constraint: { fields: ['phone'] },
        }),
      }),
    ],
    [
      'PostgreSQL unique violation (P2002)',
      known('P2002', 'Unique constraint failed on the fields: (`phone`)', {
        modelName: 'Beneficiary',
        driverAdapterError: adapterMeta({
          originalCode: '23505',
          originalMessage: 'duplicate key value violates unique constraint "Beneficiary_phone_key"',
          kind: 'UniqueConstraintViolation',
          constraint: { fields: ['phone'] },
        }),
      }),
    ],
    ['SQLite check failure (code on the error)', known('SQLITE_CONSTRAINT_CHECK', 'CHECK constraint failed: n')],
    [
      'SQLite check failure, a raw query (Prisma 7: P2010)',
      known('P2010', 'Raw query failed. Code: `SQLITE_CONSTRAINT_CHECK`. Message: `CHECK constraint failed: n`', {
        driverAdapterError: adapterMeta({
          originalCode: 'SQLITE_CONSTRAINT_CHECK',
          originalMessage: 'CHECK constraint failed: n',
          kind: 'sqlite',
          extendedCode: 1,
          message: 'CHECK constraint failed: n',
        }),
      }),
    ],
    [
      'PostgreSQL check failure, a raw query (P2010)',
      known(
        'P2010',
        'Raw query failed. Code: `23514`. ' +
          'Message: `new row for relation "RetryCheck" violates check constraint "RetryCheck_n_check"`',
        { driverAdapterError: adapterMeta(pgCheck) },
      ),
    ],
    [
      'a record not found (P2025)',
      known('P2025', 'An operation failed because it depends on one or more records that were required but not found', {
        modelName: 'Beneficiary',
        operation: 'an update',
      }),
    ],
    [
      'a timeout that is not SQLite busy (P1008)',
      known('P1008', 'Operation has timed out', { driverAdapterError: adapterMeta({ kind: 'SocketTimeout' }) }),
    ],
    [
      'the transaction timed out (P2028)',
      known(
        'P2028',
        'Transaction API error: Transaction already closed: A query cannot be executed on an expired transaction.',
      ),
    ],
    [
      'a coded error that mentions a deadlock in passing',
      known('P2010', 'Raw query failed. Code: `42601`. Message: `syntax error at or near "deadlock detected"`'),
    ],
    [
      'a rule that says no',
      new PlacementRefused('capacity', 'SIAE Nord takes at most 2 refugees in the sas IAE at a time.'),
    ],
    [
      'node-postgres: a check refused (23514)',
      pgError('23514', 'new row violates check constraint "RetryCheck_n_check"'),
    ],
    ['a plain error', new Error('boom')],
    ['undefined', undefined],
    ['a string', 'database is locked'],
  ])('%s: not a lost race', (_, err) => {
    expect(isLostRace(err)).toBe(false);
  });

  test("LostRace carries the code of Prisma's write conflict", () => {
    expect(new LostRace()).toMatchObject({ name: 'LostRace', code: 'P2034' });
  });
});

describe('unique violations', () => {
  const sqliteUnique = {
    originalCode: 'SQLITE_CONSTRAINT_UNIQUE',
    originalMessage: 'UNIQUE constraint failed: Message.dedupeKey',
    kind: 'UniqueConstraintViolation',
    constraint: { fields: ['dedupeKey'] },
  };
  const pgUnique = {
    originalCode: '23505',
    originalMessage: 'duplicate key value violates unique constraint "Message_dedupeKey_key"',
    kind: 'UniqueConstraintViolation',
    constraint: { index: 'Message_dedupeKey_key' },
  };
  const rawFailed = (cause: Record<string, unknown>) =>
    known('P2010', `Raw query failed. Code: \`${String(cause.originalCode)}\`.`, {
      driverAdapterError: adapterMeta(cause),
    });

  test.each([
    ["Prisma's client (P2002)", known('P2002', 'Unique constraint failed on the fields: (`dedupeKey`)')],
    ["a raw query on SQLite (P2010, the adapter's cause)", rawFailed(sqliteUnique)],
    ["a raw query on PostgreSQL (P2010, the adapter's cause)", rawFailed(pgUnique)],
    ['node-postgres itself (23505)', pgError('23505', 'duplicate key value violates unique constraint "Booking_pkey"')],
    [
      'better-sqlite3 itself',
      Object.assign(new Error('UNIQUE constraint failed: Booking.id'), {
        code: 'SQLITE_CONSTRAINT_PRIMARYKEY',
      }),
    ],
  ])('%s: a unique violation, not a lost race', (_, err) => {
    expect(isUniqueViolation(err)).toBe(true);
    expect(isLostRace(err)).toBe(false);
  });

  test.each([
    ['SQLite busy', rawFailed(sqliteBusy)],
    [
      'a foreign key refused',
      Object.assign(new Error('FOREIGN KEY constraint failed'), {
        code: 'SQLITE_CONSTRAINT_FOREIGNKEY',
      }),
    ],
    ['a check refused on PostgreSQL', rawFailed({ originalCode: '23514', kind: 'postgres' })],
    ['a plain error', new Error('boom')],
    ['undefined', undefined],
  ])('%s: not a unique violation', (_, err) => {
    expect(isUniqueViolation(err)).toBe(false);
  });
});

describe('retryLostRaces', () => {
  const busy = () =>
    known('P1008', 'Operation has timed out', { modelName: 'Booking', driverAdapterError: adapterMeta(sqliteBusy) });

  test('runs the work again after lost races, and returns its answer', async () => {
    let calls = 0;
    const seen: number[] = [];
    const result = await retryLostRaces(
      async () => {
        calls++;
        if (calls < 4) throw busy();
        return 'done';
      },
      { onLostRace: (_, attempt) => seen.push(attempt) },
    );
    expect(result).toBe('done');
    expect(calls).toBe(4);
    expect(seen).toEqual([1, 2, 3]);
  });

  /** A writer that throws `err` every time: retryLostRaces throws it at once, the writer ran once. */
  async function expectThrownAtOnce(err: unknown) {
    let calls = 0;
    await expect(
      retryLostRaces(async () => {
        calls++;
        throw err;
      }),
    ).rejects.toBe(err);
    expect(calls).toBe(1);
  }

  test('any other error is thrown at once, not run again', async () => {
    await expectThrownAtOnce(new PlacementRefused('capacity', 'full'));
  });

  test('gives up after the last attempt, with the last lost race', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const failing = retryLostRaces(
      async () => {
        calls++;
        const err = busy();
        errors.push(err);
        throw err;
      },
      { attempts: 5, stepMs: 0 },
    );
    await expect(failing).rejects.toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    await failing.catch((err) => expect(err).toBe(errors[4]));
    expect(calls).toBe(5);
  });

  test('the default bound is 50 tries', async () => {
    let calls = 0;
    await expect(
      retryLostRaces(
        async () => {
          calls++;
          raceLost();
        },
        { random: () => 0 },
      ),
    ).rejects.toBeInstanceOf(LostRace);
    expect(calls).toBe(50);
  });

  test("alsoRetry adds the writer's own reasons (a unique violation) without changing the others", async () => {
    const unique = known('P2002', 'Unique constraint failed on the fields: (`sessionId`,`beneficiaryId`)', {
      modelName: 'Booking',
    });
    let calls = 0;
    const result = await retryLostRaces(
      async () => {
        if (++calls === 1) throw unique;
        return calls;
      },
      { alsoRetry: (err) => (err as { meta?: { modelName?: string } }).meta?.modelName === 'Booking' },
    );
    expect(result).toBe(2);
    // Without alsoRetry, the same error is thrown at once.
    await expectThrownAtOnce(unique);
  });

  test('the pause is short, random, and grows with the tries up to the 10th', async () => {
    const pauses: number[] = [];
    let last = Date.now();
    let calls = 0;
    await retryLostRaces(
      async () => {
        const now = Date.now();
        if (calls++) pauses.push(now - last);
        last = now;
        if (calls <= 12) throw busy();
      },
      { random: () => 1, stepMs: 2 },
    );
    // 1 + 2 * min(n, 10) ms: 3, 5, ... 21, 21, 21 (timers may fire a little late, never early).
    const expected = Array.from({ length: 12 }, (_, i) => 1 + 2 * Math.min(i + 1, 10));
    pauses.forEach((p, i) => expect(p).toBeGreaterThanOrEqual(expected[i] - 1));
    expect(pauses.reduce((a, b) => a + b, 0)).toBeLessThan(1000);
  });
});
