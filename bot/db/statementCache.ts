// SQLite statements compiled once, run many times. Prisma's SQLite adapter prepares every query
// afresh (`prepare(sql).bind(args)`): compiling a statement costs about 50 µs, running a prepared
// one about 10 µs, and a turn runs several queries. This keeps the statements of the most recent
// SQL texts (Prisma writes the same text for the same query shape) and hands the adapter a
// statement whose bind() only remembers the arguments for the run: a better-sqlite3 statement
// can be bound once only, so the arguments go with each run instead.
import type BetterSqlite3 from 'better-sqlite3';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';

type Statement = BetterSqlite3.Statement<unknown[]>;

/** The statements kept: our queries have a few dozen shapes; lists of ids of varying length add some. */
const CACHED_STATEMENTS = 256;

/** What Prisma's adapter calls on a prepared statement (dist/index.js of @prisma/adapter-better-sqlite3). */
export interface AdapterStatement {
  reader: boolean;
  run(...args: unknown[]): BetterSqlite3.RunResult;
  /** the rows as objects (bot/db/sqlTransaction.ts; Prisma's adapter reads them as arrays) */
  all(...args: unknown[]): unknown[];
  bind(args: unknown[]): {
    reader: boolean;
    run(): BetterSqlite3.RunResult;
    columns(): BetterSqlite3.ColumnDefinition[];
    raw(): { all(): unknown[] };
  };
}

/** A compiled statement and, once asked, its result columns (fixed for a compiled statement). */
interface Kept {
  statement: Statement;
  columns?: BetterSqlite3.ColumnDefinition[];
}

/**
 * Makes `db.prepare` return cached statements (most recently used kept); returns the cache, for tests.
 * The adapter asks a statement's columns at every read: better-sqlite3 builds them afresh each time
 * (an object per column, about 12 % of a small transaction's CPU), so they are kept with it.
 */
export function reusePreparedStatements(db: BetterSqlite3.Database, size = CACHED_STATEMENTS): Map<string, Kept> {
  const cache = new Map<string, Kept>();
  const prepare = db.prepare.bind(db) as (sql: string) => Statement;
  const kept = (sql: string) => {
    let k = cache.get(sql);
    if (k)
      cache.delete(sql); // (a Map keeps insertion order: re-inserted, it is the most recent)
    else k = { statement: prepare(sql) };
    cache.set(sql, k);
    if (cache.size > size) cache.delete(cache.keys().next().value!);
    return k;
  };
  const reused = (sql: string): AdapterStatement => {
    const k = kept(sql);
    const s = k.statement;
    return {
      reader: s.reader,
      run: (...args) => s.run(...args),
      // (raw(false): Prisma's adapter leaves a statement it read in raw mode, rows as arrays)
      all: (...args) => s.raw(false).all(...args),
      bind: (args) => ({
        reader: s.reader,
        run: () => s.run(args),
        columns: () => (k.columns ??= s.columns()),
        raw: () => ({ all: () => s.raw(true).all(args) }),
      }),
    };
  };
  db.prepare = reused as unknown as typeof db.prepare;
  return cache;
}

/** Prisma's SQLite adapter, its connections reusing their prepared statements. */
export class PrismaSqliteReusingStatements extends PrismaBetterSqlite3 {
  /** the cache of the last connection, for tests */
  statements?: Map<string, Kept>;
  /** the last connection (bot/db/sqliteWrites.ts writes batches of rows on it directly) */
  connection?: BetterSqlite3.Database;

  override async connect() {
    const adapter = await super.connect();
    // (The adapter keeps its better-sqlite3 connection as `client`; should a version not, queries
    // simply go on being prepared each time, and test/unit/statementCache.test.ts says so.)
    const db = (adapter as unknown as { client?: BetterSqlite3.Database }).client;
    if (db && typeof db.prepare === 'function') {
      this.statements = reusePreparedStatements(db);
      this.connection = db;
    }
    return adapter;
  }
}
