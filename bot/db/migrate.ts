// Applies the committed SQL migrations of prisma/<provider>/migrations, in name order, each in a
// transaction, and records them in Prisma's own `_prisma_migrations` table (same columns and
// checksum as `prisma migrate deploy`), so the standard Prisma CLI sees them as applied.
// Why our own runner: on PostgreSQL, Prisma 6.19's JS schema engine cannot run migrations
// (prisma/orm issue 27403) and its binary engine cannot be downloaded here. One runner serves both.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { projectRoot } from '../runtime/paths';

export type Provider = 'sqlite' | 'postgresql';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

/** Prisma's lock id for migrations, so our runner and `prisma migrate deploy` exclude each other. */
const PG_ADVISORY_LOCK = 72707369;

const CREATE_TABLE: Record<Provider, string> = {
  sqlite: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL,
    "checksum" TEXT NOT NULL,
    "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL,
    "logs" TEXT,
    "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
  )`,
  postgresql: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
  )`,
};

export function migrationsDir(provider: Provider): string {
  return path.join(projectRoot, 'prisma', provider, 'migrations');
}

export function listMigrations(provider: Provider): Migration[] {
  const dir = migrationsDir(provider);
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: crypto.createHash('sha256').update(sql).digest('hex') };
    });
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

interface Applied {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

function pending(migrations: Migration[], rows: Applied[]): Migration[] {
  const done = new Map(rows.filter((r) => r.finished_at && !r.rolled_back_at).map((r) => [r.migration_name, r]));
  const failed = rows.find((r) => !r.finished_at && !r.rolled_back_at);
  if (failed) {
    throw new MigrationError(
      `migration ${failed.migration_name} started but did not finish; fix the database, then mark it rolled back ` +
        `(prisma migrate resolve)`,
    );
  }
  for (const m of migrations) {
    const row = done.get(m.name);
    if (row && row.checksum !== m.checksum) {
      throw new MigrationError(`migration ${m.name} was changed after it was applied (checksum differs)`);
    }
  }
  return migrations.filter((m) => !done.has(m.name));
}

export function sqliteFilePath(url: string): string {
  return url.replace(/^file:/, '').replace(/\?.*$/, '');
}

/**
 * Switches the file to WAL. SQLite does not wait for a lock to change the journal mode (the busy
 * timeout does not apply): another process migrating the same new file at this moment makes it
 * fail at once, so try again for a while.
 */
function useWal(db: Database.Database) {
  const deadline = Date.now() + 10000;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

function migrateSqlite(url: string, migrations: Migration[]): MigrationResult {
  const file = sqliteFilePath(url);
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 10000 });
  try {
    useWal(db);
    db.exec(CREATE_TABLE.sqlite);
    const applied: string[] = [];
    // IMMEDIATE takes the write lock first, so two processes starting together apply each migration once.
    db.exec('BEGIN IMMEDIATE');
    try {
      const rows = db
        .prepare('SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"')
        .all() as Applied[];
      const todo = pending(migrations, rows);
      const record = db.prepare(
        'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, ' +
          'applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)',
      );
      for (const m of todo) {
        const started = new Date().toISOString();
        db.exec(m.sql);
        record.run(crypto.randomUUID(), m.checksum, new Date().toISOString(), m.name, started);
        applied.push(m.name);
      }
      db.exec('COMMIT');
      return { applied, alreadyApplied: migrations.length - applied.length };
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  } finally {
    db.close();
  }
}

async function migratePostgres(url: string, migrations: Migration[]): Promise<MigrationResult> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PG_ADVISORY_LOCK]);
    try {
      await client.query(CREATE_TABLE.postgresql);
      const { rows } = await client.query<Applied>(
        'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"',
      );
      const todo = pending(migrations, rows);
      for (const m of todo) {
        const started = new Date();
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query(
            'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, ' +
              'applied_steps_count) VALUES ($1, $2, now(), $3, $4, 1)',
            [crypto.randomUUID(), m.checksum, m.name, started],
          );
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new MigrationError(`migration ${m.name} failed: ${(err as Error).message}`);
        }
      }
      return { applied: todo.map((m) => m.name), alreadyApplied: migrations.length - todo.length };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PG_ADVISORY_LOCK]);
    }
  } finally {
    await client.end();
  }
}

/** Brings the database at `url` up to date. Safe to run concurrently from several processes. */
export async function migrate(provider: Provider, url: string): Promise<MigrationResult> {
  const migrations = listMigrations(provider);
  return provider === 'sqlite' ? migrateSqlite(url, migrations) : migratePostgres(url, migrations);
}
