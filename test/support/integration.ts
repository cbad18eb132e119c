// Helpers of the integration suites: temporary databases that a test drops whatever happens,
// raw SQL that does not go through Prisma (to check what Prisma wrote), and the Prisma CLI.
import { spawn } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { projectRoot } from '../../bot/runtime/paths';
import type { TestDatabaseKind } from './databases';
import type { TempDatabase } from './postgres';

export { projectRoot };

/** Temporary databases of one kind; dropAll() in afterEach/afterAll drops every one created. */
export class TempDatabases {
  private readonly created: TempDatabase[] = [];

  constructor(private readonly kind: TestDatabaseKind) {}

  async create(): Promise<TempDatabase> {
    const db = await this.kind.create();
    this.created.push(db);
    return db;
  }

  async dropAll(): Promise<void> {
    const all = this.created.splice(0);
    for (const db of all) await db.drop();
  }
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

export function sqliteFile(url: string): string {
  return url.replace(/^file:/, '').replace(/\?.*$/, '');
}

/** Runs `fn` with a raw connection (better-sqlite3 or pg) to the database at `url`. */
export async function withRaw<T>(
  url: string,
  fn: (raw: {
    query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
    exec(sql: string): Promise<void>;
  }) => Promise<T>,
): Promise<T> {
  if (isPostgresUrl(url)) {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return await fn({
        query: async <R>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as R[],
        exec: async (sql: string) => void (await client.query(sql)),
      });
    } finally {
      await client.end();
    }
  }
  const db = new Database(sqliteFile(url));
  db.pragma('busy_timeout = 10000');
  try {
    return await fn({
      query: async <R>(sql: string, params: unknown[] = []) => {
        const statement = db.prepare(sql);
        if (statement.reader) return statement.all(...params) as R[];
        statement.run(...params);
        return [];
      },
      exec: async (sql: string) => void db.exec(sql),
    });
  } finally {
    db.close();
  }
}

/** One query on a raw connection. Placeholders: `?` on SQLite, `$1` on PostgreSQL. */
export function rawQuery<R = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  return withRaw(url, (raw) => raw.query<R>(sql, params));
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the project's Prisma 6.19 CLI (node_modules/prisma6, whose `migrate` commands work offline: see
 * scripts/prisma-schema.mjs) in the project folder with DATABASE_URL, and prisma/cli6.config.ts unless
 * `args` name a config.
 */
export function runPrismaCli(args: string[], databaseUrl: string, timeoutMs = 60000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.join(projectRoot, 'node_modules', 'prisma6', 'build', 'index.js'),
        ...args,
        ...(args.includes('--config') ? [] : ['--config', path.join('prisma', 'cli6.config.ts')]),
      ],
      {
        cwd: projectRoot,
        env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: '1', NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
