// Opens the case database: SQLite through better-sqlite3 (default) or PostgreSQL through pg,
// each with its own generated Prisma client (the two share one model, see prisma/models.prisma).
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient as SqliteClient } from '../../prisma/generated/sqlite/client';
import { PrismaClient as PostgresClient } from '../../prisma/generated/postgresql/client';
import { attachPostgresStatements, postgresStatements } from './postgresStatements';
import { migrate, sqliteFilePath, type MigrationResult, type Provider } from './migrate';
import { serialized } from './serialized';
import { PrismaSqliteReusingStatements } from './statementCache';
import { attachReader, sqliteReader } from './sqlReads';
import { attachSqliteConnection } from './sqliteWrites';
import { startWalCheckpoints, type WalCheckpointOptions, type WalCheckpoints } from './walCheckpoints';

/** The client type the code is written against; both providers' clients have this shape. */
export type Db = SqliteClient;
export type { Prisma } from '../../prisma/generated/sqlite/client';

export { isUniqueViolation } from './retry';

export interface Database {
  prisma: Db;
  provider: Provider;
  /** true when the database answers a trivial query */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export function providerOf(url: string): Provider {
  return /^postgres(ql)?:\/\//.test(url) ? 'postgresql' : 'sqlite';
}

export interface OpenOptions {
  /** apply pending migrations first (default true) */
  migrate?: boolean;
  onMigrated?: (result: MigrationResult) => void;
  /** PostgreSQL pool size (default 10) */
  poolSize?: number;
  /** SQLite: WAL checkpoints in a worker thread (bot/db/walCheckpoints.ts; default on), or false: SQLite's own */
  walCheckpoints?: WalCheckpointOptions | false;
}

export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  const provider = providerOf(url);
  if (options.migrate !== false) {
    const result = await migrate(provider, url);
    options.onMigrated?.(result);
  }

  let prisma: Db;
  /** what closing the database closes besides Prisma's client */
  let closeReader = async () => {};
  let checkpoints: WalCheckpoints | undefined;
  if (provider === 'sqlite') {
    const adapter = new PrismaSqliteReusingStatements({ url: sqliteFilePath(url), timeout: 10000 });
    const client = new SqliteClient({ adapter });
    // One connection per process: WAL lets readers run beside the writer; NORMAL sync is safe with WAL.
    await client.$queryRawUnsafe('PRAGMA journal_mode = WAL');
    await client.$executeRawUnsafe('PRAGMA synchronous = NORMAL');
    await client.$executeRawUnsafe('PRAGMA foreign_keys = ON');
    // Deleted and overwritten rows are zeroed, not left in the file's free space (an erasure erases).
    await client.$queryRawUnsafe('PRAGMA secure_delete = ON');
    // ...so queries must not slip into another request's open transaction (see serialized.ts).
    prisma = serialized(client);
    attachSqliteConnection(prisma, () => adapter.connection);
    const file = sqliteFilePath(url);
    if (file !== ':memory:') {
      const reader = sqliteReader(file);
      attachReader(prisma, reader);
      closeReader = async () => reader.close();
      if (options.walCheckpoints !== false) {
        const writer = prisma;
        checkpoints = await startWalCheckpoints(
          file,
          { pragma: (sql) => writer.$queryRawUnsafe(sql) },
          options.walCheckpoints || {},
        );
      }
    }
  } else {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
    // An idle connection that breaks is dropped by the pool; without a listener the error would end the process.
    pool.on('error', () => undefined);
    const adapter = new PrismaPg(pool);
    prisma = new PostgresClient({ adapter }) as unknown as Db;
    const statements = postgresStatements(pool, pg.types);
    attachPostgresStatements(prisma, statements);
    attachReader(prisma, statements);
    closeReader = () => pool.end().catch(() => undefined); // (ended already: nothing left to close)
  }
  await prisma.$connect();

  // Prisma reconnects on the next query after $disconnect(), so a closed database would still
  // answer ping() (readyz 200 during shutdown, and a new connection opened after close): remember it.
  let closed = false;
  return {
    prisma,
    provider,
    async ping(timeoutMs = 2000) {
      if (closed) return false;
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
        });
        await Promise.race([prisma.$queryRawUnsafe('SELECT 1'), timeout]);
        return true;
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      closed = true;
      await checkpoints?.stop();
      await prisma.$disconnect();
      await closeReader();
    },
  };
}
