// SQL of our own on PostgreSQL, on the pool Prisma's adapter uses, through node-postgres directly:
// the reads of every turn (bot/db/sqlReads.ts) and the transactions whose work is SQL of our own
// (bot/db/sqlTransaction.ts). Prisma's interactive transaction cost about 1 ms of CPU each in the
// turn benchmark (opening it, each raw statement through its engine, closing it): 13 % of the
// process's CPU on PostgreSQL, for a quarter of a transaction a turn. On a connection of the
// pool, a transaction is BEGIN, the statements, COMMIT, as Prisma sends them.
// Statements are named by their text (a few dozen shapes), so each connection parses one once.
import type pg from 'pg';
import type { SqlClient } from './sqlClient';
import type { SqlReader } from './sqlReads';

/** PostgreSQL's `timestamp` (without time zone) holds UTC here: read as such, not as local time. */
const TIMESTAMP_OID = 1114;
export const utcTimestamp = (value: string) => new Date(`${value.replace(' ', 'T')}Z`);

/** The client's reader (rows of one statement on any connection of the pool), and its transactions. */
export interface PostgresStatements extends SqlReader {
  /** `work` in one transaction on one connection of the pool: COMMIT, or ROLLBACK when it throws */
  transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T>;
}

/** The statements of a transaction open on one connection (providerOfClient reads `_activeProvider`). */
class PoolConnectionTx implements SqlClient {
  readonly _activeProvider = 'postgresql';

  constructor(
    private readonly run: (client: pg.PoolClient, sql: string, values: unknown[]) => Promise<pg.QueryResult>,
    private readonly client: pg.PoolClient,
  ) {}

  async $queryRawUnsafe<T = unknown>(sql: string, ...values: unknown[]): Promise<T> {
    return (await this.run(this.client, sql, values)).rows as T;
  }

  async $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number> {
    return (await this.run(this.client, sql, values)).rowCount ?? 0;
  }
}

const attached = new WeakMap<object, PostgresStatements>();

/** Makes `statements` the ones of this Prisma client (openDatabase does it for PostgreSQL). */
export function attachPostgresStatements(prisma: object, statements: PostgresStatements): void {
  attached.set(prisma, statements);
}

/** The statements of a PostgreSQL client openDatabase made; undefined for SQLite or a transaction's client. */
export function postgresStatementsOf(prisma: object): PostgresStatements | undefined {
  return attached.get(prisma);
}

export function postgresStatements(pool: pg.Pool, types: typeof pg.types): PostgresStatements {
  const parsers = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === TIMESTAMP_OID ? utcTimestamp : types.getTypeParser(oid, format as 'text')) as typeof types.getTypeParser,
  };
  const names = new Map<string, string>();
  const config = (text: string, values: unknown[]): pg.QueryConfig => {
    let name = names.get(text);
    if (!name) names.set(text, (name = `passerelle_${names.size + 1}`));
    return { name, text, values, types: parsers };
  };
  const run = (client: pg.PoolClient, sql: string, values: unknown[]) => client.query(config(sql, values));

  return {
    provider: 'postgresql',
    rows: async <T>(sql: string, params: unknown[]) => (await pool.query(config(sql, params))).rows as T[],
    async transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      /** set when the connection may be in an unknown state: the pool then closes it instead of keeping it */
      let broken: Error | undefined;
      // A connection that breaks while checked out says so by an 'error' event, which would end the
      // process if no one listened (the statement waiting on it fails too).
      const onError = (err: Error) => (broken = err);
      client.on('error', onError);
      try {
        await client.query('BEGIN').catch((err: Error) => Promise.reject((broken = err)));
        let result: T;
        try {
          result = await work(new PoolConnectionTx(run, client));
        } catch (err) {
          await client.query('ROLLBACK').catch((e: Error) => (broken = e));
          throw err;
        }
        // A COMMIT PostgreSQL refuses (a serialization failure: an error with its code) has ended
        // the transaction; any other failure (the connection lost) leaves it unknown.
        await client.query('COMMIT').catch((err: Error & { code?: unknown }) => {
          if (typeof err.code !== 'string') broken = err;
          return Promise.reject(err);
        });
        return result;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
  };
}
