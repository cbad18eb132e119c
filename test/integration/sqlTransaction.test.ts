// Transactions of SQL of our own (bot/db/sqlTransaction.ts), on both databases: the work's
// statements commit together or not at all; on SQLite they run on the connection itself (no
// Prisma transaction, no ORM delegates), and a query of the client issued meanwhile waits for the
// commit or rollback instead of slipping into the transaction.
import { SqlParams } from '../../bot/db/rawSql';
import { sqlStatement, sqlTransaction, type SqlClient } from '../../bot/db/sqlTransaction';
import { connectionTransaction } from '../../bot/db/sqliteWrites';
import { asBoolean, asDate } from '../../bot/db/sqlReads';
import { appendCaseEvent } from '../../bot/services/caseEvents';
import { testDatabases, useDatabase } from '../support/databases';

describe.each(testDatabases())('sqlTransaction on $name', (kind) => {
  const db = useDatabase(kind);
  let seq = 0;

  /** A new person and their event, in SQL of our own; resolves with the person's id. */
  async function personWithEvent(tx: SqlClient, firstName: string): Promise<number> {
    const p = new SqlParams(kind.name === 'sqlite' ? 'sqlite' : 'postgresql');
    const now = new Date();
    const [row] = await tx.$queryRawUnsafe<{ id: unknown }[]>(
      `INSERT INTO "Beneficiary" ("firstName", "entryDate", "createdAt", "updatedAt")
        VALUES (${p.add(firstName)}, ${p.add(now, 'timestamp')}, ${p.add(now, 'timestamp')}, ${p.add(now, 'timestamp')})
        RETURNING "id"`,
      ...p.values,
    );
    const id = Number(row!.id);
    await appendCaseEvent(tx, { beneficiaryId: id, type: 'test', actor: { type: 'system' }, attention: true });
    return id;
  }

  test('the statements commit together, and the result comes back', async () => {
    const name = `T${++seq}`;
    const id = await sqlTransaction(db.prisma, (tx) => personWithEvent(tx, name));
    expect(await db.prisma.beneficiary.findUniqueOrThrow({ where: { id } })).toMatchObject({ firstName: name });
    expect(await db.prisma.caseEvent.findMany({ where: { beneficiaryId: id } })).toMatchObject([
      { type: 'test', attention: true },
    ]);
  });

  test('a statement Prisma ran on the connection before still gives rows with their column names', async () => {
    const mark = kind.name === 'sqlite' ? '?' : '$1';
    const sql = `SELECT "id", "firstName" FROM "Beneficiary" WHERE "firstName" = ${mark}`;
    const name = `T${++seq}`;
    const id = await sqlTransaction(db.prisma, (tx) => personWithEvent(tx, name));
    expect(await db.prisma.$queryRawUnsafe(sql, name)).toEqual([{ id, firstName: name }]);
    const rows = await sqlTransaction(db.prisma, (tx) => tx.$queryRawUnsafe<{ id: unknown }[]>(sql, name));
    expect(rows.map((r) => ({ ...r, id: Number(r.id) }))).toEqual([{ id, firstName: name }]);
  });

  test('when the work throws, nothing of it stays, and the next transaction commits', async () => {
    const name = `T${++seq}`;
    await expect(
      sqlTransaction(db.prisma, async (tx) => {
        await personWithEvent(tx, name);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await db.prisma.beneficiary.count({ where: { firstName: name } })).toBe(0);
    const id = await sqlTransaction(db.prisma, (tx) => personWithEvent(tx, name));
    expect(await db.prisma.beneficiary.count({ where: { id } })).toBe(1);
  });

  test("the work gets the connection's own statements, not Prisma's transaction client", async () => {
    const delegates = await sqlTransaction(db.prisma, async (tx) => 'beneficiary' in tx);
    expect(delegates).toBe(false);
  });

  test('rows come back as the reads give them: timestamps in UTC, booleans', async () => {
    const p = new SqlParams(kind.name === 'sqlite' ? 'sqlite' : 'postgresql');
    const name = `R${++seq}`;
    const id = await sqlTransaction(db.prisma, (tx) => personWithEvent(tx, name));
    const [event] = await sqlTransaction(db.prisma, (tx) =>
      tx.$queryRawUnsafe<{ attention: unknown; createdAt: unknown }[]>(
        `SELECT "attention", "createdAt" FROM "CaseEvent" WHERE "beneficiaryId" = ${p.add(id, 'int')}`,
        ...p.values,
      ),
    );
    const stored = await db.prisma.caseEvent.findFirstOrThrow({ where: { beneficiaryId: id } });
    expect(asBoolean(event!.attention)).toBe(true);
    expect(asDate(event!.createdAt)!.toISOString()).toBe(stored.createdAt.toISOString());
  });

  test('a query of the client issued during the transaction is not part of it: it survives the rollback', async () => {
    const [inside, outside] = [`In${++seq}`, `Out${seq}`];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let wrote!: () => void;
    const written = new Promise<void>((r) => (wrote = r));
    const tx = sqlTransaction(db.prisma, async (t) => {
      await personWithEvent(t, inside);
      wrote();
      await held;
      throw new Error('rolled back');
    });
    await written;
    const other = db.prisma.beneficiary.create({ data: { firstName: outside } });
    await new Promise((r) => setTimeout(r, 50));
    release();
    await expect(tx).rejects.toThrow('rolled back');
    await other;
    expect(await db.prisma.beneficiary.count({ where: { firstName: inside } })).toBe(0);
    expect(await db.prisma.beneficiary.count({ where: { firstName: outside } })).toBe(1);
  });

  test('one statement of our own: its rows, or its error with nothing written', async () => {
    const p = new SqlParams(kind.name === 'sqlite' ? 'sqlite' : 'postgresql');
    const name = `S${++seq}`;
    const id = await sqlTransaction(db.prisma, (tx) => personWithEvent(tx, name));
    const rows = await sqlStatement<{ id: unknown; firstName: string }>(
      db.prisma,
      `UPDATE "Beneficiary" SET "firstName" = ${p.add(`${name}!`)} WHERE "id" = ${p.add(id, 'int')}
        RETURNING "id", "firstName"`,
      p.values,
    );
    expect(rows.map((r) => ({ ...r, id: Number(r.id) }))).toEqual([{ id, firstName: `${name}!` }]);
    // An event without a type: refused (NOT NULL), the statement leaves nothing behind. (The error is
    // looked at, not matched by `rejects.toThrow()`: better-sqlite3's SqliteError comes from the
    // realm of the first test file that loaded the native module, not an Error of this one's.)
    const q = new SqlParams(kind.name === 'sqlite' ? 'sqlite' : 'postgresql');
    const refused = await sqlStatement(
      db.prisma,
      `INSERT INTO "CaseEvent" ("beneficiaryId", "type", "actorType", "createdAt")
        VALUES (${q.add(id, 'int')}, NULL, 'system', ${q.add(new Date(), 'timestamp')}) RETURNING "id"`,
      q.values,
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(String((refused as { message?: unknown } | undefined)?.message)).toMatch(/NOT NULL|not-null/);
    expect(await db.prisma.caseEvent.count({ where: { beneficiaryId: id } })).toBe(1);
    const [one] = await sqlStatement<{ one: unknown }>(db.prisma, 'SELECT 1 AS "one"', []);
    expect(Number(one.one)).toBe(1);
  });

  if (kind.name === 'postgresql') {
    test('each transaction gives its connection back to the pool: many at once, half of them failing', async () => {
      // (the pool holds 10: a connection kept by a transaction that failed would stop the later ones)
      const names = Array.from({ length: 40 }, (_, i) => `Pool${++seq}_${i}`);
      const outcomes = await Promise.allSettled(
        names.map((name, i) =>
          sqlTransaction(db.prisma, async (tx) => {
            await personWithEvent(tx, name);
            if (i % 2) throw new Error('changed my mind');
          }),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(20);
      const kept = await db.prisma.beneficiary.findMany({
        where: { firstName: { in: names } },
        select: { firstName: true },
      });
      expect(kept.map((b) => b.firstName).sort()).toEqual(names.filter((_, i) => i % 2 === 0).sort());
      // A statement PostgreSQL refuses ends the transaction too, with PostgreSQL's error code.
      const refused = await sqlTransaction(db.prisma, (tx) => tx.$executeRawUnsafe('SELECT 1/0')).catch((e) => e);
      expect(refused).toMatchObject({ code: '22012' });
      expect(await sqlTransaction(db.prisma, (tx) => tx.$queryRawUnsafe('SELECT 1 AS "one"'))).toEqual([{ one: 1 }]);
    });

    test('a connection that breaks during the work leaves the pool; the next transaction gets a good one', async () => {
      const name = `Broken${++seq}`;
      const err = await sqlTransaction(db.prisma, async (tx) => {
        const [me] = await tx.$queryRawUnsafe<{ pid: number }[]>('SELECT pg_backend_pid() AS "pid"');
        // (another connection ends this one's server process, as a restart or a network cut would)
        await db.prisma.$queryRawUnsafe('SELECT pg_terminate_backend($1::integer)', me!.pid);
        await personWithEvent(tx, name);
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(await db.prisma.beneficiary.count({ where: { firstName: name } })).toBe(0);
      const id = await sqlTransaction(db.prisma, (tx) => personWithEvent(tx, name));
      expect(await db.prisma.beneficiary.count({ where: { id } })).toBe(1);
    });
  }

  if (kind.name === 'sqlite')
    test('work that is synchronous runs BEGIN to COMMIT without giving the event loop a turn', async () => {
      // (another connection to the file in this process could otherwise start a write meanwhile, and
      // wait for this one's lock in a busy loop that keeps this one from committing)
      let inTransactionMeanwhile: boolean | undefined;
      await connectionTransaction(db.prisma)!((conn) => {
        void Promise.resolve().then(() => (inTransactionMeanwhile = conn.inTransaction));
        expect(conn.inTransaction).toBe(true);
        conn.prepare('SELECT 1').all();
      });
      expect(inTransactionMeanwhile).toBe(false);
    });
});
