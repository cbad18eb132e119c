// SQLite statements are compiled once per SQL text and reused (bot/db/statementCache.ts): the
// answers stay right whatever the arguments, transactions still work, and the cache is bounded.
import BetterSqlite3 from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PrismaClient } from '../../prisma/generated/sqlite/client';
import { migrate } from '../../bot/db/migrate';
import { PrismaSqliteReusingStatements, reusePreparedStatements } from '../../bot/db/statementCache';

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-statements-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('Prisma queries of one shape share one compiled statement, and each run has its own arguments', async () => {
  const file = path.join(dir, 'prisma.db');
  await migrate('sqlite', `file:${file}`);
  const adapter = new PrismaSqliteReusingStatements({ url: file });
  const prisma = new PrismaClient({ adapter });
  try {
    const names = ['Amina', 'Bashir', 'Tsega'];
    for (const firstName of names)
      await prisma.beneficiary.create({ data: { firstName, phone: `+3363998000${names.indexOf(firstName)}` } });
    const compiled = adapter.statements!.size;
    const found = [];
    for (const phone of ['+33639980002', '+33639980000', '+33639980001', '+33639980009'])
      found.push((await prisma.beneficiary.findUnique({ where: { phone } }))?.firstName ?? null);
    expect(found).toEqual(['Tsega', 'Amina', 'Bashir', null]);
    // four lookups, one new statement
    expect(adapter.statements!.size).toBe(compiled + 1);

    // a transaction that fails leaves nothing; the next one commits
    await expect(
      prisma.$transaction(async (tx) => {
        await tx.beneficiary.update({ where: { phone: '+33639980000' }, data: { firstName: 'Changed' } });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await prisma.$transaction(async (tx) => {
      await tx.beneficiary.update({ where: { phone: '+33639980001' }, data: { firstName: 'Bashir A.' } });
    });
    const rows = await prisma.beneficiary.findMany({ orderBy: { id: 'asc' }, select: { firstName: true } });
    expect(rows.map((r) => r.firstName)).toEqual(['Amina', 'Bashir A.', 'Tsega']);
    // raw SQL with and without parameters goes through the same statements
    expect(
      await prisma.$queryRawUnsafe('SELECT count(*) AS n FROM "Beneficiary" WHERE "firstName" = ?', 'Tsega'),
    ).toEqual([{ n: 1n }]);
    expect(await prisma.$queryRawUnsafe('SELECT 2 AS two')).toEqual([{ two: 2n }]);
  } finally {
    await prisma.$disconnect();
  }
});

test('the cache keeps the most recently used statements, up to its size', () => {
  const db = new BetterSqlite3(path.join(dir, 'plain.db'));
  try {
    const cache = reusePreparedStatements(db, 2);
    db.exec('CREATE TABLE t (n INTEGER)');
    const insert = 'INSERT INTO t (n) VALUES (?)';
    const count = 'SELECT count(*) AS c FROM t WHERE n >= ?';
    for (const n of [1, 2, 3]) db.prepare(insert).bind([n]).run();
    const first = cache.get(insert);
    const read = (min: number) => db.prepare(count).bind([min]).raw().all();
    expect(read(2)).toEqual([[2]]);
    expect(read(1)).toEqual([[3]]);
    expect(cache.get(insert)).toBe(first); // the same compiled statement, used three times
    db.prepare(insert).bind([4]).run(); // insert is now the most recent...
    db.prepare('SELECT 1').bind([]).raw().all(); // ...so the count goes
    expect([...cache.keys()]).toEqual([insert, 'SELECT 1']);
    expect(read(4)).toEqual([[1]]); // compiled again when needed
  } finally {
    db.close();
  }
});

test("a statement's result columns are read once and kept with it", () => {
  const db = new BetterSqlite3(path.join(dir, 'columns.db'));
  try {
    reusePreparedStatements(db);
    db.exec('CREATE TABLE c (id INTEGER PRIMARY KEY, name TEXT)');
    const select = 'SELECT "id", "name", count(*) AS n FROM c WHERE id > ?';
    const first = db.prepare(select).bind([0]).columns();
    expect(first.map((c) => [c.name, c.type])).toEqual([
      ['id', 'INTEGER'],
      ['name', 'TEXT'],
      ['n', null],
    ]);
    // the same array for every run of that statement: better-sqlite3 would build a new one each time
    expect(db.prepare(select).bind([5]).columns()).toBe(first);
    expect(
      db
        .prepare('SELECT "name" FROM c')
        .bind([])
        .columns()
        .map((c) => c.name),
    ).toEqual(['name']);
  } finally {
    db.close();
  }
});
