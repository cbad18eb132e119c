// The committed migrations produce exactly the schema of prisma/models.prisma: no model change
// lacks its migration, and no migration was edited by hand into something else. The reference is
// what Prisma itself makes of the models (`prisma migrate diff --from-empty --script`), applied to
// another fresh database; the two databases are then compared through the catalogue.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from '../../bot/db/migrate';
import { testDatabases } from '../support/databases';
import { projectRoot, rawQuery, runPrismaCli, sqliteFile, TempDatabases, withRaw } from '../support/integration';
import { PG_ADMIN_URL } from '../support/postgres';

const read = (...parts: string[]) => fs.readFileSync(path.join(projectRoot, ...parts), 'utf8');

test('prisma/models.migrated.prisma equals prisma/models.prisma (every model change has its migration)', () => {
  expect(read('prisma', 'models.migrated.prisma')).toBe(read('prisma', 'models.prisma'));
});

/** The text without its `//` comments (`///` doc comments stay: they reach the generated client). */
const withoutComments = (text: string) =>
  text
    .split('\n')
    .filter((line) => !/^\s*\/\/(?!\/)/.test(line))
    .join('\n')
    .trim();

test.each(['sqlite', 'postgresql'])(
  'prisma/%s/schema.prisma (and so its client) is generated from the current models',
  (provider) => {
    const schema = read('prisma', provider, 'schema.prisma');
    expect(schema).toContain(`provider = "${provider}"`);
    expect(withoutComments(schema).endsWith(withoutComments(read('prisma', 'models.prisma')))).toBe(true);
  },
);

type Snapshot = Record<string, unknown>;

/** Tables, columns, indexes, unique constraints and foreign keys of a SQLite file. */
function sqliteSnapshot(url: string): Snapshot {
  const db = new Database(sqliteFile(url), { readonly: true });
  try {
    const tables = (
      db
        .prepare(
          `SELECT name FROM sqlite_master
            WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations' ORDER BY name`,
        )
        .all() as { name: string }[]
    ).map((t) => t.name);
    const snapshot: Snapshot = {};
    for (const table of tables) {
      const q = (pragma: string) =>
        db.prepare(`PRAGMA ${pragma}("${table.replace(/"/g, '""')}")`).all() as Record<string, unknown>[];
      snapshot[table] = {
        // by name: a column added by a later migration comes last in SQLite, wherever the model has it
        columns: q('table_info')
          .map(({ name, type, notnull, dflt_value, pk }) => ({ name, type, notnull, dflt_value, pk }))
          .sort((a, b) => String(a.name).localeCompare(String(b.name))),
        indexes: q('index_list')
          .map(({ name, unique, origin, partial }) => ({
            name,
            unique,
            origin,
            partial,
            columns: (db.prepare(`PRAGMA index_info("${String(name)}")`).all() as { name: string }[]).map(
              (c) => c.name,
            ),
          }))
          .sort((a, b) => String(a.name).localeCompare(String(b.name))),
        foreignKeys: q('foreign_key_list').map(({ table: to, from, to: toColumn, on_update, on_delete }) => ({
          to,
          from,
          toColumn,
          on_update,
          on_delete,
        })),
      };
    }
    return snapshot;
  } finally {
    db.close();
  }
}

/** The same for a PostgreSQL database, from information_schema and pg_catalog. */
async function postgresSnapshot(url: string): Promise<Snapshot> {
  const notMigrations = `<> '_prisma_migrations'`;
  return withRaw(url, async (raw) => ({
    columns: await raw.query(
      `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default,
              character_maximum_length, numeric_precision, datetime_precision
         FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name ${notMigrations} ORDER BY table_name, column_name`,
    ),
    indexes: await raw.query(
      `SELECT tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname = 'public' AND tablename ${notMigrations} ORDER BY tablename, indexname`,
    ),
    constraints: await raw.query(
      `SELECT conrelid::regclass::text AS "table", conname, contype, pg_get_constraintdef(oid) AS definition
         FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text ${notMigrations} ORDER BY 1, 2`,
    ),
    sequences: await raw.query(
      `SELECT sequence_name, data_type FROM information_schema.sequences WHERE sequence_schema = 'public' ORDER BY 1`,
    ),
  }));
}

function modelNames(): string[] {
  return [...read('prisma', 'models.prisma').matchAll(/^model (\w+) \{/gm)].map((m) => m[1]).sort();
}

describe.each(testDatabases())('the migrated schema on $name', (kind) => {
  const provider = kind.name;
  const temps = new TempDatabases(kind);
  afterAll(() => temps.dropAll());

  test('equals the schema Prisma makes of the models', async () => {
    const [migrated, reference] = await Promise.all([temps.create(), temps.create()]);
    // What Prisma makes of the current models, from an empty database. On PostgreSQL the CLI needs a
    // reachable server (it reads nothing); our config lets the CLI's idle pg connection go at once.
    // The models are read from prisma/models.prisma itself, not from the generated copy.
    const schemaFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-models-')), 'schema.prisma');
    fs.writeFileSync(
      schemaFile,
      `datasource db {\n  provider = "${provider}"\n  url      = env("DATABASE_URL")\n}\n\n` +
        read('prisma', 'models.prisma'),
    );
    const diffArgs = ['migrate', 'diff', '--from-empty', '--to-schema-datamodel', schemaFile, '--script'];
    const [diff] = await Promise.all([
      provider === 'sqlite'
        ? runPrismaCli(diffArgs, 'file::memory:')
        : runPrismaCli([...diffArgs, '--config', path.join('test', 'support', 'prismaDiff.config.ts')], PG_ADMIN_URL),
      migrate(provider, migrated.url),
    ]);
    fs.rmSync(path.dirname(schemaFile), { recursive: true, force: true });
    expect(diff.stderr).not.toMatch(/Error/);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toMatch(/CREATE TABLE/);
    await withRaw(reference.url, (raw) => raw.exec(diff.stdout));

    const snapshot = (url: string) =>
      provider === 'sqlite' ? Promise.resolve(sqliteSnapshot(url)) : postgresSnapshot(url);
    const [got, want] = await Promise.all([snapshot(migrated.url), snapshot(reference.url)]);
    expect(got).toEqual(want);

    // every model has its table (the comparison is not between two empty schemas)
    const tables = await rawQuery<{ name: string }>(
      migrated.url,
      provider === 'sqlite'
        ? `SELECT name FROM sqlite_master
            WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'`
        : `SELECT table_name AS name FROM information_schema.tables
            WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    expect(tables.map((t) => t.name).sort()).toEqual(modelNames());

    // and the comparison notices a missing index or unique constraint
    await withRaw(reference.url, (raw) => raw.exec(`DROP INDEX "Booking_sessionId_beneficiaryId_key"`));
    expect(await snapshot(reference.url)).not.toEqual(got);
  });
});
