// SQLite's WAL checkpoints in a worker thread (bot/db/walCheckpoints.ts): the writer's connection
// does none while the worker runs; the worker copies the WAL back into the database file; the
// writer checkpoints itself only when the WAL stays large; a worker that cannot start, or that
// stops, leaves SQLite's own checkpoints on. On a real file, with a real second connection.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openDatabase } from '../../bot/db/client';
import { sqliteFilePath } from '../../bot/db/migrate';
import { startWalCheckpoints, type WalWriter } from '../../bot/db/walCheckpoints';
import { createTempSqlite } from '../support/databases';
import { waitFor } from '../support/waitFor';

let dir: string;
let file: string;
let conn: BetterSqlite3.Database;
/** the writer's PRAGMAs, in order */
let pragmas: string[];
let writer: WalWriter;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-wal-'));
  file = path.join(dir, 'db.sqlite');
  conn = new BetterSqlite3(file);
  conn.pragma('journal_mode = WAL');
  conn.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, data TEXT)');
  pragmas = [];
  writer = {
    pragma: async (sql) => {
      pragmas.push(sql);
      return conn.prepare(sql).all();
    },
  };
});
afterEach(() => {
  conn.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes `rows` rows of about 2 KB, one transaction each (a page or more of WAL each). */
function write(rows: number) {
  const insert = conn.prepare('INSERT INTO t (data) VALUES (?)');
  for (let i = 0; i < rows; i++) insert.run('x'.repeat(2000));
}

const autocheckpoint = () =>
  (conn.pragma('wal_autocheckpoint') as { wal_autocheckpoint: number }[])[0].wal_autocheckpoint;

test('the writer stops checkpointing while the worker runs', async () => {
  // (a worker that waits an hour: whatever reaches the file, the writer copied)
  const checkpoints = await startWalCheckpoints(file, writer, { everyMs: 3_600_000 });
  expect(checkpoints).toBeDefined();
  expect(autocheckpoint()).toBe(0);
  const sizeBefore = fs.statSync(file).size;
  write(1200); // past SQLite's 1,000-page mark: with its own checkpoints, the writer would copy them
  expect(fs.statSync(file).size).toBe(sizeBefore);
  await checkpoints!.stop();
  expect(autocheckpoint()).toBe(1000); // stopped: SQLite's own checkpoints again
});

test('the worker copies what is committed into the database file', async () => {
  const checkpoints = await startWalCheckpoints(file, writer, { everyMs: 20 });
  const sizeBefore = fs.statSync(file).size;
  write(300);
  const done = await waitFor('a checkpoint of the worker', () => {
    const last = checkpoints!.last();
    return last && last.log >= 300 && last.checkpointed === last.log ? last : undefined;
  });
  expect(done.checkpointed).toBeGreaterThanOrEqual(300);
  expect(fs.statSync(file).size).toBeGreaterThan(sizeBefore + 300 * 2000);
  expect(pragmas).not.toContain('PRAGMA wal_checkpoint(PASSIVE)'); // the writer never had to
  await checkpoints!.stop();
});

test('a WAL past maxPages after a pass of the worker: the writer checkpoints it itself, not before', async () => {
  const checkpoints = await startWalCheckpoints(file, writer, { everyMs: 20, maxPages: 100 });
  write(30);
  await waitFor('a pass over 30 pages', () => (checkpoints!.last()?.log ?? 0) >= 30);
  expect(pragmas).not.toContain('PRAGMA wal_checkpoint(PASSIVE)');
  write(300);
  await waitFor('the writer checkpointing', () => pragmas.includes('PRAGMA wal_checkpoint(PASSIVE)'));
  await checkpoints!.stop();
});

test('a worker that cannot open the file: undefined, and the writer keeps its own checkpoints', async () => {
  const missing = path.join(dir, 'none.sqlite');
  await expect(startWalCheckpoints(missing, writer)).resolves.toBeUndefined();
  expect(pragmas).not.toContain('PRAGMA wal_autocheckpoint = 0');
  expect(autocheckpoint()).toBe(1000);
});

test("a writer that refuses to stop its checkpoints: undefined, the worker stopped, SQLite's own kept", async () => {
  const refusing: WalWriter = {
    pragma: async (sql) => {
      pragmas.push(sql);
      if (sql === 'PRAGMA wal_autocheckpoint = 0') throw new Error('refused');
      return conn.prepare(sql).all();
    },
  };
  await expect(startWalCheckpoints(file, refusing)).resolves.toBeUndefined();
  expect(pragmas).toEqual(['PRAGMA wal_autocheckpoint = 0', 'PRAGMA wal_autocheckpoint = 1000']);
  expect(autocheckpoint()).toBe(1000);
});

test('openDatabase on a SQLite file: the worker checkpoints; false keeps SQLite’s own; close ends it', async () => {
  const tmp = await createTempSqlite();
  const autocheckpointOf = async (db: Awaited<ReturnType<typeof openDatabase>>) =>
    Number(
      (await db.prisma.$queryRawUnsafe<{ wal_autocheckpoint: unknown }[]>('PRAGMA wal_autocheckpoint'))[0]!
        .wal_autocheckpoint,
    );
  try {
    const db = await openDatabase(tmp.url);
    expect(await autocheckpointOf(db)).toBe(0);
    await db.close();
    const plain = await openDatabase(tmp.url, { migrate: false, walCheckpoints: false });
    expect(await autocheckpointOf(plain)).toBe(1000);
    await plain.close();
    expect(fs.existsSync(sqliteFilePath(tmp.url))).toBe(true);
  } finally {
    await tmp.drop();
  }
});
