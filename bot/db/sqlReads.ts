// The few reads almost every turn makes, in SQL of our own run past Prisma's client. Prisma spends
// about 0.2 ms of CPU on each query (building it, running its plan, mapping rows); a prepared
// statement run directly costs a tenth of that, and a turn's CPU is the service's throughput.
// So the hottest reads (bot/services/questions.ts' open question...) are written once in SQL that
// both providers take: identifiers in double quotes, parameters from SqlParams (bot/db/rawSql.ts).
//   - SQLite: a second, read-only connection to the same file, its statements prepared once. WAL
//     lets it read beside the writer; it sees what is committed, which is what every awaited write
//     of the app is (a transaction's own reads go through the transaction: `tx` has no reader).
//   - PostgreSQL: the pool Prisma's adapter uses, through node-postgres directly
//     (bot/db/postgresStatements.ts).
// Any other client (a transaction's, or a database in memory) runs the same SQL through Prisma's
// raw queries: one text, whichever way it goes.
import BetterSqlite3 from 'better-sqlite3';
import type { Provider } from './migrate';
import { providerOfClient } from './rawSql';
import { bindable } from './sqliteWrites';

export interface SqlReader {
  provider: Provider;
  /** the rows of a query; its placeholders are the provider's (SqlParams) */
  rows<T>(sql: string, params: unknown[]): Promise<T[]>;
}

const readers = new WeakMap<object, SqlReader>();

/** Makes `reader` the one of this Prisma client (openDatabase does it). */
export function attachReader(prisma: object, reader: SqlReader): void {
  readers.set(prisma, reader);
}

/** The reader of a client: its own, else its raw queries. */
export function sqlReader(prisma: object): SqlReader {
  const attached = readers.get(prisma);
  if (attached) return attached;
  const client = prisma as { $queryRawUnsafe<T>(sql: string, ...values: unknown[]): Promise<T> };
  return {
    provider: providerOfClient(prisma),
    rows: <T>(sql: string, params: unknown[]) => client.$queryRawUnsafe<T[]>(sql, ...params),
  };
}

/** A second connection to the SQLite file, read-only, its statements kept (the 256 most recent). */
export function sqliteReader(file: string): SqlReader & { close(): void } {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepared = (sql: string) => {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(sql);
      statements.set(sql, s);
      if (statements.size > 256) statements.delete(statements.keys().next().value!);
    }
    return s;
  };
  return {
    provider: 'sqlite',
    // (better-sqlite3 takes no booleans: SQLite stores them as 0 and 1)
    rows: <T>(sql: string, params: unknown[]) => Promise.resolve(prepared(sql).all(...bindable(params)) as T[]),
    close: () => db.close(),
  };
}

/** A boolean as a reader gives it (SQLite: 0 or 1; PostgreSQL: a boolean). */
export const asBoolean = (value: unknown): boolean => value === true || value === 1 || value === 1n;

/** A timestamp as a reader gives it (SQLite: the text Prisma wrote; PostgreSQL: a Date). */
export function asDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value : new Date(value as string | number);
}
