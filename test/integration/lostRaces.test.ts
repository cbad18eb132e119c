// Real lost races, provoked step by step between two clients of one database (like two server
// instances), on SQLite and PostgreSQL: each error is what bot/db/retry.ts takes for a lost race
// (the forms test/unit/retry.test.ts copies), the writer that lost runs again and both writers'
// changes are there in the end; an error that is not a race (a check failure, a rule) is not run
// again. Through the helper itself, and through the booking and placement services.
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase, type Database, type Db } from '../../bot/db/client';
import { attachPostgresStatements, postgresStatementsOf } from '../../bot/db/postgresStatements';
import { isLostRace, retryLostRaces } from '../../bot/db/retry';
import { createPlacement, PlacementRefused } from '../../bot/services/placements';
import { book } from '../../bot/services/workshops';
import { testDatabases } from '../support/databases';
import type { TempDatabase } from '../support/postgres';
import { newWorkshopSession } from '../support/workshopFixture';

const NOW = new Date('2026-03-02T08:00:00Z');
const staff = { type: 'staff' as const, id: 1 };
const day = (d: string) => new Date(`${d}T00:00:00.000Z`);

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/**
 * Inside the first transaction only, `run` goes just before the first call of model.method, or of
 * the first raw statement whose SQL matches `sql`.
 */
type Hook = ({ model: string; method: string } | { sql: RegExp }) & { run: () => Promise<unknown> };

const RAW = ['$queryRawUnsafe', '$executeRawUnsafe'];

/** The transaction client, with the hook in front of one operation. */
function hooked(tx: object, hook: Hook, fired: { done: boolean }): object {
  return new Proxy(tx, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if ('sql' in hook && typeof prop === 'string' && RAW.includes(prop) && typeof value === 'function') {
        return async (sql: string, ...args: unknown[]) => {
          if (!fired.done && hook.sql.test(sql)) {
            fired.done = true;
            await hook.run();
          }
          return (value as (...a: unknown[]) => Promise<unknown>).apply(target, [sql, ...args]);
        };
      }
      if (!('model' in hook) || prop !== hook.model) return typeof value === 'function' ? value.bind(target) : value;
      return new Proxy(value as object, {
        get(delegate, op) {
          const fn = Reflect.get(delegate, op);
          if (op !== hook.method || typeof fn !== 'function') return fn;
          return async (...args: unknown[]) => {
            if (!fired.done) {
              fired.done = true;
              await hook.run();
            }
            return fn.apply(delegate, args);
          };
        },
      });
    },
  });
}

/**
 * The client, counting its transactions (how many times a service ran its unit of work) and
 * their errors; with a hook, another writer acts in the middle of the first one.
 */
function counting(db: Db, hook?: Hook): { prisma: Db; transactions: () => number; errors: unknown[] } {
  let n = 0;
  const errors: unknown[] = [];
  const fired = { done: false };
  const prisma = new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop === '$transaction') {
        return (...args: unknown[]) => {
          n++;
          const [work, ...rest] = args;
          const run =
            hook && typeof work === 'function'
              ? (tx: object) => (work as (t: object) => unknown)(hooked(tx, hook, fired))
              : work;
          return (value as (...a: unknown[]) => Promise<unknown>)
            .apply(target, [run, ...rest])
            .catch((err: unknown) => {
              errors.push(err);
              throw err;
            });
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  // PostgreSQL: the transactions of SQL of our own run on the pool (bot/db/postgresStatements.ts),
  // not in Prisma's; counted and hooked the same way.
  const statements = postgresStatementsOf(db);
  if (statements)
    attachPostgresStatements(prisma, {
      ...statements,
      transaction: (work) => {
        n++;
        return statements
          .transaction((tx) => work(hook ? (hooked(tx, hook, fired) as typeof tx) : tx))
          .catch((err: unknown) => {
            errors.push(err);
            throw err;
          });
      },
    });
  return { prisma, transactions: () => n, errors };
}

describe.each(testDatabases())('lost races on $name', (kind) => {
  let tmp: TempDatabase;
  let a: Database;
  let b: Database;
  let seq = 0;

  beforeAll(async () => {
    tmp = await kind.create();
    a = await openDatabase(tmp.url);
    b = await openDatabase(tmp.url, { migrate: false, poolSize: 3 });
    await Promise.all([a.ping(), b.ping()]);
    // A table with a CHECK constraint, for an error that is not a race.
    await a.prisma.$executeRawUnsafe('CREATE TABLE "RetryCheck" ("n" INTEGER NOT NULL CHECK ("n" >= 0))');
  }, 60000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await tmp?.drop();
  });

  const person = async () =>
    (await a.prisma.beneficiary.create({ data: { firstName: `P${++seq}`, birthYear: 1980, status: 'active' } })).id;
  /** A session of a new workshop, tomorrow, with 5 seats. */
  const tomorrowsSession = () =>
    newWorkshopSession(a.prisma, `lost_${++seq}`, new Date(NOW.getTime() + 24 * 3600_000), 5);
  const yearOf = async (id: number) => (await a.prisma.beneficiary.findUniqueOrThrow({ where: { id } })).birthYear;
  /** A SIAE of its own; `capacity` seats when given. */
  const siae = (capacity?: number) =>
    a.prisma.structure.create({ data: { name: `SIAE ${++seq}`, kind: 'siae', capacity } });
  /** Places `who` (sas_iae) in the structure through `db`'s client, in March 2026 unless told other days. */
  const place = (db: Db, who: number, structureId: number, from = '2026-03-01', to = '2026-03-31') =>
    createPlacement(
      { prisma: db, provider: a.provider },
      { beneficiaryId: who, structureId, kind: 'sas_iae', startDate: day(from), endDate: day(to) },
      staff,
    );
  /** `who` holds one seat of the session, and the session counts one booking. */
  const expectBookedOnce = async (sessionId: number, who: number) => {
    expect(await a.prisma.booking.count({ where: { sessionId, beneficiaryId: who, status: 'booked' } })).toBe(1);
    expect((await a.prisma.workshopSession.findUniqueOrThrow({ where: { id: sessionId } })).bookedCount).toBe(1);
  };

  /** Read, then write what was read plus one: a writer that must see the others' writes to be right. */
  const addOne = (db: Database, id: number, between?: () => Promise<void>, isolationLevel?: 'RepeatableRead') =>
    db.prisma.$transaction(
      async (tx) => {
        const { birthYear } = await tx.beneficiary.findUniqueOrThrow({ where: { id } });
        await between?.();
        await tx.beneficiary.update({ where: { id }, data: { birthYear: birthYear! + 1 } });
      },
      // (Db is typed as the SQLite client, which knows Serializable only; PostgreSQL's takes this.)
      isolationLevel && ({ isolationLevel } as unknown as { isolationLevel: 'Serializable' }),
    );
  /**
   * a adds one to a new person's birth year while, the first time only, b adds one and commits
   * between a's read and a's write: a lost once, ran again on the fresh value, and both ones count.
   * Returns the error a lost with.
   */
  const addOneWhileAnotherWrites = async (isolationLevel?: 'RepeatableRead') => {
    const id = await person();
    const lost: unknown[] = [];
    let tries = 0;
    await retryLostRaces(
      () =>
        addOne(
          a,
          id,
          async () => {
            if (++tries === 1)
              await b.prisma.beneficiary.update({ where: { id }, data: { birthYear: { increment: 1 } } });
          },
          isolationLevel,
        ),
      { onLostRace: (err) => lost.push(err) },
    );
    expect(tries).toBe(2);
    expect(await yearOf(id)).toBe(1982);
    expect(lost).toHaveLength(1);
    return lost[0];
  };

  if (kind.name === 'sqlite') {
    test('another client writing (SQLITE_BUSY): the reader wanting to write runs again once it committed', async () => {
      const id = await person();
      const held = deferred();
      const release = deferred();
      // b: read, write, and keep the write lock open until a has lost once.
      const writerB = b.prisma.$transaction(async (tx) => {
        const { birthYear } = await tx.beneficiary.findUniqueOrThrow({ where: { id } });
        await tx.beneficiary.update({ where: { id }, data: { birthYear: birthYear! + 1 } });
        held.resolve();
        await release.promise;
      });
      await held.promise;
      const lost: unknown[] = [];
      const writerA = retryLostRaces(() => addOne(a, id), { onLostRace: (err) => (lost.push(err), release.resolve()) });

      await Promise.all([writerA, writerB]);
      expect(await yearOf(id)).toBe(1982);
      expect(lost.length).toBeGreaterThanOrEqual(1);
      expect(lost[0]).toMatchObject({
        code: 'P1008',
        meta: { driverAdapterError: { cause: { originalCode: 'SQLITE_BUSY', kind: 'SocketTimeout' } } },
      });
    });

    test('another client wrote since the read (SQLITE_BUSY_SNAPSHOT): run again on the fresh value', async () => {
      // Prisma 7 maps it like SQLITE_BUSY (Prisma 6 left it unmapped: code SQLITE_BUSY_SNAPSHOT on the error)
      expect(await addOneWhileAnotherWrites()).toMatchObject({
        name: 'PrismaClientKnownRequestError',
        code: 'P1008',
        meta: {
          driverAdapterError: {
            cause: {
              originalCode: 'SQLITE_BUSY_SNAPSHOT',
              originalMessage: 'database is locked',
              kind: 'SocketTimeout',
            },
          },
        },
      });
    });

    /** b holds the write lock until `writer` has run its transaction twice (lost once), then commits. */
    async function whileAnotherWrites(writer: { transactions: () => number }, start: () => Promise<unknown>) {
      const id = await person();
      const held = deferred();
      let committedAt = 0;
      const writerB = b.prisma
        .$transaction(async (tx) => {
          await tx.beneficiary.update({ where: { id }, data: { lastName: 'B' } });
          held.resolve();
          await until('the other writer to lose a race', () => writer.transactions() >= 2);
        })
        .then(() => (committedAt = performance.now()));
      await held.promise;
      const outcome = await start();
      const doneAt = performance.now();
      await writerB;
      expect(doneAt).toBeGreaterThan(committedAt);
      expect((await a.prisma.beneficiary.findUniqueOrThrow({ where: { id } })).lastName).toBe('B');
      return outcome;
    }

    test('a booking while another instance writes: it runs again and books once the other has committed', async () => {
      const session = await tomorrowsSession();
      const who = await person();
      const client = counting(a.prisma);
      const outcome = await whileAnotherWrites(client, () =>
        book(client.prisma, who, session.id, NOW, { actor: staff }),
      );
      expect(outcome).toMatchObject({ status: 'booked' });
      await expectBookedOnce(session.id, who);
    });

    test(
      "another instance changed the session between the booking's read and its write (SQLITE_BUSY_SNAPSHOT): " +
        'it runs again and books',
      async () => {
        const session = await tomorrowsSession();
        const who = await person();
        // Just before the booking takes the seat, b moves the session and commits.
        const client = counting(a.prisma, {
          sql: /^UPDATE "WorkshopSession" SET "bookedCount"/,
          run: () => b.prisma.workshopSession.update({ where: { id: session.id }, data: { place: 'Tours' } }),
        });
        const outcome = await book(client.prisma, who, session.id, NOW, { actor: staff });

        expect(outcome).toMatchObject({ status: 'booked', session: { place: 'Tours', seatsLeft: 4 } });
        expect(client.transactions()).toBe(2);
        expect(client.errors).toHaveLength(1);
        // (P1008 from a model operation, P2010 from a raw statement)
        expect(['P1008', 'P2010']).toContain((client.errors[0] as { code?: string }).code);
        expect(client.errors[0]).toMatchObject({
          meta: { driverAdapterError: { cause: { originalCode: 'SQLITE_BUSY_SNAPSHOT' } } },
        });
        expect((await a.prisma.workshopSession.findUniqueOrThrow({ where: { id: session.id } })).bookedCount).toBe(1);
      },
    );

    test(
      "another instance wrote between the placement's checks and its write (SQLITE_BUSY_SNAPSHOT): checked " +
        'again on the fresh counts',
      async () => {
        const structure = await siae(1);
        const [who, other] = [await person(), await person()];
        // Between the checks and the write, b places someone else in the only seat and commits: the
        // run again sees the seat taken, and says so instead of placing a second person.
        const client = counting(a.prisma, {
          model: 'placement',
          method: 'create',
          run: () => place(b.prisma, other, structure.id),
        });
        await expect(place(client.prisma, who, structure.id, '2026-03-10', '2026-04-10')).rejects.toMatchObject({
          reason: 'capacity',
        });
        expect(client.transactions()).toBe(2);
        expect(client.errors.map((e) => (e as { code?: string }).code)).toEqual(['P1008', undefined]);
        expect(client.errors[0]).toMatchObject({
          meta: { driverAdapterError: { cause: { originalCode: 'SQLITE_BUSY_SNAPSHOT' } } },
        });
        expect(
          (await a.prisma.placement.findMany({ where: { structureId: structure.id } })).map((p) => p.beneficiaryId),
        ).toEqual([other]);
      },
    );

    test('a placement while another instance writes: it runs again and is recorded once', async () => {
      const structure = await siae();
      const who = await person();
      const client = counting(a.prisma);
      const placement = await whileAnotherWrites(client, () => place(client.prisma, who, structure.id));
      expect(placement).toMatchObject({ beneficiaryId: who, structureId: structure.id });
      expect(await a.prisma.placement.count({ where: { beneficiaryId: who } })).toBe(1);
      expect(await a.prisma.caseEvent.count({ where: { beneficiaryId: who, type: 'placement_created' } })).toBe(1);
    });
  }

  if (kind.name === 'postgresql') {
    /** Resolves once a backend of this database waits for a row lock. */
    const someoneWaits = () =>
      until('a transaction to wait for a lock', async () => {
        const rows = await a.prisma.$queryRawUnsafe<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return rows[0].n > 0;
      });

    test('a serialization failure (40001, repeatable read): run again on the fresh value', async () => {
      expect(await addOneWhileAnotherWrites('RepeatableRead')).toMatchObject({
        code: 'P2034',
        meta: { driverAdapterError: { cause: { originalCode: '40001', kind: 'TransactionWriteConflict' } } },
      });
    });

    test('a serialization failure at commit (40001, serializable): the loser runs again, both written', async () => {
      // Two clients of their own: Prisma 6.19 does not give back to the pool the connection of a
      // transaction whose COMMIT failed (it releases it only after a COMMIT that worked), so the
      // loser's client cannot close; dropping the database ends that connection.
      const [c1, c2] = [
        await openDatabase(tmp.url, { migrate: false, poolSize: 2 }),
        await openDatabase(tmp.url, { migrate: false, poolSize: 2 }),
      ];
      const [x, y] = [await person(), await person()];
      const lost: unknown[] = [];
      const bothRead = deferred();
      const bothWrote = deferred();
      let reads = 0;
      let writes = 0;
      // Each reads both rows and writes one (write skew), the first time both before either
      // commits: serializable lets the first commit, and refuses the second at its COMMIT.
      const writer = (db: Database, target: number, name: string) =>
        retryLostRaces(
          () =>
            db.prisma.$transaction(
              async (tx) => {
                await tx.beneficiary.findMany({ where: { id: { in: [x, y] } } });
                if (++reads === 2) bothRead.resolve();
                if (reads <= 2) await bothRead.promise;
                await tx.beneficiary.update({ where: { id: target }, data: { lastName: `by ${name}` } });
                if (++writes === 2) bothWrote.resolve();
                if (writes <= 2) await bothWrote.promise;
              },
              { isolationLevel: 'Serializable' },
            ),
          { onLostRace: (err) => lost.push(err) },
        );
      try {
        await Promise.all([writer(c1, x, 'c1'), writer(c2, y, 'c2')]);
      } finally {
        await Promise.race([Promise.all([c1.close(), c2.close()]), sleep(500)]);
      }
      expect(
        (await a.prisma.beneficiary.findMany({ where: { id: { in: [x, y] } }, orderBy: { id: 'asc' } })).map(
          (p) => p.lastName,
        ),
      ).toEqual(['by c1', 'by c2']);
      expect(lost).toHaveLength(1);
      // At COMMIT, Prisma gives the driver adapter's error as it is.
      expect(lost[0]).toMatchObject({
        name: 'DriverAdapterError',
        cause: { originalCode: '40001', kind: 'TransactionWriteConflict' },
      });
    });

    test('a booking deadlocked by another instance (40P01): the one chosen runs again; both commit', async () => {
      const session = await tomorrowsSession();
      const placeBefore = (await a.prisma.workshopSession.findUniqueOrThrow({ where: { id: session.id } })).place;
      const who = await person();
      const lost: unknown[] = [];
      const locked = deferred();
      let tries = 0;
      // b locks the person, then (once the booking waits for that lock while holding the session's
      // seat count) changes the session: each waits for the other.
      const writerB = retryLostRaces(
        () =>
          b.prisma.$transaction(async (tx) => {
            await tx.$queryRaw`SELECT "id" FROM "Beneficiary" WHERE "id" = ${who} FOR UPDATE`;
            if (++tries === 1) {
              locked.resolve();
              await someoneWaits();
            }
            await tx.workshopSession.update({ where: { id: session.id }, data: { place: 'Tours' } });
          }),
        { onLostRace: (err) => lost.push(err) },
      );
      await locked.promise;
      const client = counting(a.prisma);
      const [outcome] = await Promise.all([book(client.prisma, who, session.id, NOW, { actor: staff }), writerB]);

      // PostgreSQL chose one of the two to fail, and it ran again: usually the booking, which waited
      // first; on a loaded machine (CI) once the other, which the booking's view then precedes.
      expect(client.transactions() + tries).toBe(3);
      const failures = [...client.errors, ...lost];
      expect(failures).toHaveLength(1);
      const bookingRanAgain = client.errors.length === 1;
      expect(outcome).toMatchObject({ status: 'booked', session: { seatsLeft: 4 } });
      // The booking that ran again read the session before or after the other committed (its read
      // waits for no lock; its seat's update does): either place. Run first, it saw the old one.
      expect(bookingRanAgain ? [placeBefore, 'Tours'] : [placeBefore]).toContain(
        (outcome as { session: { place: string } }).session.place,
      );
      expect((await a.prisma.workshopSession.findUniqueOrThrow({ where: { id: session.id } })).place).toBe('Tours');
      expect(isLostRace(failures[0])).toBe(true);
      // The booking's SQL runs on a connection of the pool: node-postgres gives PostgreSQL's error
      // as it is, with its code.
      if (client.errors.length) expect(client.errors[0]).toMatchObject({ code: '40P01' });
      await expectBookedOnce(session.id, who);
    });

    test('a placement deadlocked by another instance locking in the other order (40P01): both succeed', async () => {
      const structure = await siae();
      const who = await person();
      const locked = deferred();
      let tries = 0;
      // b locks the structure, then the person: the placement locks the person, then the structure.
      const writerB = retryLostRaces(() =>
        b.prisma.$transaction(async (tx) => {
          await tx.$queryRaw`SELECT "id" FROM "Structure" WHERE "id" = ${structure.id} FOR UPDATE`;
          if (++tries === 1) {
            locked.resolve();
            await someoneWaits();
          }
          await tx.$queryRaw`SELECT "id" FROM "Beneficiary" WHERE "id" = ${who} FOR UPDATE`;
          await tx.structure.update({ where: { id: structure.id }, data: { city: 'Blois' } });
        }),
      );
      await locked.promise;
      const client = counting(a.prisma);
      const [placement] = await Promise.all([place(client.prisma, who, structure.id), writerB]);
      expect(placement).toMatchObject({ beneficiaryId: who, structureId: structure.id });
      expect(client.transactions() + tries).toBe(3);
      // The placement's lock is a raw query: P2010, the deadlock in meta.driverAdapterError.
      if (client.errors.length)
        expect(client.errors[0]).toMatchObject({
          code: 'P2010',
          meta: { driverAdapterError: { cause: { originalCode: '40P01' } } },
        });
      expect((await a.prisma.structure.findUniqueOrThrow({ where: { id: structure.id } })).city).toBe('Blois');
      expect(await a.prisma.placement.count({ where: { beneficiaryId: who } })).toBe(1);
    });
  }

  test('a check failure is not a lost race: thrown at once, not run again', async () => {
    let tries = 0;
    const failing = retryLostRaces(() =>
      a.prisma.$transaction(async (tx) => {
        tries++;
        await tx.$executeRawUnsafe('INSERT INTO "RetryCheck" ("n") VALUES (-1)');
      }),
    );
    const err = await failing.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject(
      kind.name === 'sqlite'
        ? { code: 'P2010', meta: { driverAdapterError: { cause: { originalCode: 'SQLITE_CONSTRAINT_CHECK' } } } }
        : { code: 'P2010', meta: { driverAdapterError: { cause: { originalCode: '23514', kind: 'postgres' } } } },
    );
    expect(isLostRace(err)).toBe(false);
    expect(tries).toBe(1);
    expect(await a.prisma.$queryRawUnsafe<unknown[]>('SELECT * FROM "RetryCheck"')).toEqual([]);
  });

  test('a rule that says no is not run again', async () => {
    const structure = await a.prisma.structure.create({ data: { name: `Company ${++seq}`, kind: 'company' } });
    const who = await person();
    const client = counting(a.prisma);
    await expect(place(client.prisma, who, structure.id)).rejects.toBeInstanceOf(PlacementRefused);
    expect(client.transactions()).toBe(1);
  });
});
