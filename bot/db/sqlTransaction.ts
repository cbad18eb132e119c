// A transaction whose work is SQL of our own only (a person's own change and its event, consent, a
// problem report). Prisma's interactive transaction costs about 0.2 ms of CPU to open and close,
// and each raw statement through it about 40 µs besides the statement's own work. On SQLite the
// transaction runs on the connection itself, in the client's turn (bot/db/serialized.ts: no other
// query runs on the connection meanwhile): BEGIN, the work's statements (prepared once, kept by
// bot/db/statementCache.ts), COMMIT, or ROLLBACK when the work throws. On PostgreSQL, the same on
// a connection of the pool (bot/db/postgresStatements.ts). A client openDatabase did not make (a
// test's) keeps Prisma's transaction.
import type BetterSqlite3 from 'better-sqlite3';
import type { Db } from './client';
import { postgresStatementsOf } from './postgresStatements';
import type { SqlClient } from './sqlClient';
import { bindable, connectionTransaction } from './sqliteWrites';

export type { SqlClient };

/** A statement's rows on the connection, or none for a statement that returns none. */
function rowsOn<T>(db: BetterSqlite3.Database, sql: string, values: unknown[]): T[] {
  const statement = db.prepare(sql);
  if (!statement.reader) {
    statement.run(...bindable(values));
    return [];
  }
  return statement.all(...bindable(values)) as T[];
}

/** The statements of a transaction open on the connection (providerOfClient reads `_activeProvider`). */
class ConnectionTx implements SqlClient {
  readonly _activeProvider = 'sqlite';

  constructor(private readonly db: BetterSqlite3.Database) {}

  $queryRawUnsafe<T = unknown>(sql: string, ...values: unknown[]): Promise<T> {
    return Promise.resolve(rowsOn(this.db, sql, values) as T);
  }

  $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number> {
    return Promise.resolve(this.db.prepare(sql).run(...bindable(values)).changes);
  }
}

/**
 * Runs `work` in one transaction: on SQLite's connection itself, on a connection of PostgreSQL's
 * pool, else (a client of a test, say) in Prisma's.
 */
export function sqlTransaction<T>(db: Db, work: (tx: SqlClient) => Promise<T>): Promise<T> {
  const inTransaction = connectionTransaction(db);
  if (inTransaction) return inTransaction((conn) => work(new ConnectionTx(conn)));
  const postgres = postgresStatementsOf(db);
  return postgres ? postgres.transaction(work) : db.$transaction((tx) => work(tx));
}

/**
 * One statement of our own that writes (an UPDATE ... RETURNING, say), its rows: on SQLite on the
 * connection itself, in the client's turn; on PostgreSQL on a connection of the pool; else
 * Prisma's raw query. A transaction of its own either way.
 */
export function sqlStatement<T>(db: Db, sql: string, values: unknown[]): Promise<T[]> {
  const inTransaction = connectionTransaction(db);
  // (run at once: no other write can start between its BEGIN and its COMMIT, see connectionTransaction)
  if (inTransaction) return inTransaction((conn) => rowsOn<T>(conn, sql, values));
  const postgres = postgresStatementsOf(db);
  return postgres ? postgres.rows<T>(sql, values) : db.$queryRawUnsafe<T[]>(sql, ...values);
}
