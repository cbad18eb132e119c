// The databases a suite runs against: a real SQLite file in a temporary folder always, and a
// throw-away PostgreSQL database when one answers (globalSetup checked; CI requires it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../../bot/db/client';
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

/**
 * A throw-away database of this kind, migrated and open for the whole describe block (created in
 * beforeAll, closed and dropped in afterAll), or for each test with `each`. The returned object
 * speaks for it inside tests, and tells its `url` (to open a second connection, like a second
 * server instance).
 */
export function useDatabase(kind: TestDatabaseKind, each?: 'each'): Database & { url: string } {
  let tmp: TempDatabase | undefined;
  let db: Database | undefined;
  (each ? beforeEach : beforeAll)(async () => {
    tmp = await kind.create();
    db = await openDatabase(tmp.url);
  });
  (each ? afterEach : afterAll)(async () => {
    await db?.close();
    await tmp?.drop();
    [db, tmp] = [undefined, undefined];
  });
  return new Proxy({} as Database & { url: string }, {
    get(_target, prop) {
      if (!db || !tmp) throw new Error('the database is open inside tests only');
      if (prop === 'url') return tmp.url;
      const value = Reflect.get(db, prop);
      return typeof value === 'function' ? value.bind(db) : value;
    },
  });
}

/**
 * `count` clients of one throw-away database of this kind, like as many server instances (the first
 * migrates it), for the whole describe block. The array is filled in beforeAll.
 */
export function useInstances(kind: TestDatabaseKind, count: number): Database[] {
  let tmp: TempDatabase | undefined;
  const instances: Database[] = [];
  beforeAll(async () => {
    tmp = await kind.create();
    instances.push(await openDatabase(tmp.url));
    for (let i = 1; i < count; i++) instances.push(await openDatabase(tmp.url, { migrate: false, poolSize: 2 }));
    // Connected and ready, so that the calls of a test really start together.
    await Promise.all(instances.map((d) => d.ping()));
  }, 60000);
  afterAll(async () => {
    for (const d of instances) await d.close();
    await tmp?.drop();
  });
  return instances;
}
