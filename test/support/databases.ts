// The databases a suite runs against: a real SQLite file in a temporary folder always, and a
// throw-away PostgreSQL database when one answers (globalSetup checked; CI requires it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTempPostgres, type TempDatabase } from './postgres';

export interface TestDatabaseKind {
  name: 'sqlite' | 'postgresql';
  create(): Promise<TempDatabase>;
}

export async function createTempSqlite(): Promise<TempDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-test-'));
  return {
    url: `file:${path.join(dir, 'test.db')}`,
    drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export const sqliteKind: TestDatabaseKind = { name: 'sqlite', create: createTempSqlite };
export const postgresKind: TestDatabaseKind = { name: 'postgresql', create: createTempPostgres };

/** SQLite, plus PostgreSQL when globalSetup found it. */
export function testDatabases(): TestDatabaseKind[] {
  return process.env.PASSERELLE_TEST_PG === '1' ? [sqliteKind, postgresKind] : [sqliteKind];
}
