// Rows written many at a time on the SQLite connection itself, past Prisma's client. The message
// record writes every message of every turn (two or three rows a turn, in batches of concurrent
// turns): as one INSERT ... SELECT from a JSON array (bot/db/jsonRows.ts) it cost about 35 µs of
// CPU a row, SQLite reading the row's JSON once for each column; one prepared INSERT run for each
// row, in one transaction, about 20 µs. The work waits its turn like any query of the client
// (bot/db/serialized.ts): no transaction of the client is open on the connection meanwhile, and
// better-sqlite3 runs it to the end at once. PostgreSQL keeps the JSON array: a round trip a row
// would cost more than it saves.
import type BetterSqlite3 from 'better-sqlite3';
// (the client's type from the generated client itself, not from ./client, which imports this file)
import type { PrismaClient as Db } from '../../prisma/generated/sqlite/client';
import { exclusively } from './serialized';

/** Writes rows of one INSERT statement, each row its values in the statement's order. */
export interface RowWriter {
  insertEach(sql: string, rows: unknown[][]): Promise<void>;
}

const connections = new WeakMap<object, () => BetterSqlite3.Database | undefined>();

/** Makes `connection()` the SQLite connection of this (serialized) client (openDatabase does it). */
export function attachSqliteConnection(prisma: object, connection: () => BetterSqlite3.Database | undefined): void {
  connections.set(prisma, connection);
}

/** The SQLite connection of a client openDatabase made (undefined for PostgreSQL), for tests. */
export function sqliteConnectionOf(prisma: object): BetterSqlite3.Database | undefined {
  return connections.get(prisma)?.();
}

/** SQLite takes no booleans: it stores them as 0 and 1 (as Prisma does). */
export const bindable = (values: unknown[]) => values.map((v) => (typeof v === 'boolean' ? Number(v) : v));

/**
 * Runs `work` in one transaction on the connection of a SQLite client, in the client's turn:
 * BEGIN, the work, COMMIT, or ROLLBACK when it throws. Undefined for PostgreSQL or a transaction's client.
 * Work that is synchronous runs BEGIN to COMMIT without giving the event loop a turn: another
 * connection to the file in this process (tests play several instances so) cannot then start a
 * write meanwhile and wait on this one's lock, which no one could release while it waits.
 */
export function connectionTransaction(
  prisma: Db,
): (<T>(work: (db: BetterSqlite3.Database) => T | Promise<T>) => Promise<T>) | undefined {
  const connection = connections.get(prisma);
  const exclusive = exclusively(prisma);
  if (!connection || !exclusive) return undefined;
  return <T>(work: (db: BetterSqlite3.Database) => T | Promise<T>) =>
    exclusive(() => {
      const db = connection();
      if (!db) throw new Error('the SQLite connection is closed');
      const rollback = (err: unknown): never => {
        if (db.inTransaction) db.prepare('ROLLBACK').run();
        throw err;
      };
      // (BEGIN and COMMIT as Prisma's adapter runs them: the connection's prepare keeps them compiled)
      const commit = (result: T): T => {
        try {
          db.prepare('COMMIT').run();
        } catch (err) {
          rollback(err);
        }
        return result;
      };
      db.prepare('BEGIN').run();
      let result: T | Promise<T>;
      try {
        result = work(db);
      } catch (err) {
        return rollback(err);
      }
      const later = result as PromiseLike<T> | undefined;
      return typeof later?.then === 'function' ? Promise.resolve(later).then(commit, rollback) : commit(result as T);
    });
}

/** The direct writer of a SQLite client; undefined for PostgreSQL or a transaction's client. */
export function sqliteRowWriter(prisma: Db): RowWriter | undefined {
  const inTransaction = connectionTransaction(prisma);
  if (!inTransaction) return undefined;
  return {
    insertEach: (sql, rows) =>
      inTransaction((db) => {
        const insert = db.prepare(sql);
        for (const row of rows) insert.run(...row);
      }),
  };
}
