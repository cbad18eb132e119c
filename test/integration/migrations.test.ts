// The migration runner (bot/db/migrate.ts) on a real database of each provider: it applies every
// committed migration once, records it the way `prisma migrate deploy` does, is safe to run from
// several instances at once, and refuses a history that no longer matches the files.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { migrate, MigrationError, type Provider } from '../../bot/db/migrate';
import { testDatabases } from '../support/databases';
import { projectRoot, rawQuery, runPrismaCli, sqliteFile, TempDatabases } from '../support/integration';

interface Row {
  id: string;
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
  started_at: unknown;
  applied_steps_count: number | string;
}

/** The migrations committed for a provider, read here independently of the runner. */
function committedMigrations(provider: Provider): { name: string; checksum: string }[] {
  const dir = path.join(projectRoot, 'prisma', provider, 'migrations');
  return fs
    .readdirSync(dir)
    .filter((name) => fs.existsSync(path.join(dir, name, 'migration.sql')))
    .sort()
    .map((name) => ({
      name,
      checksum: crypto
        .createHash('sha256')
        .update(fs.readFileSync(path.join(dir, name, 'migration.sql')))
        .digest('hex'),
    }));
}

async function records(url: string): Promise<Row[]> {
  return rawQuery<Row>(url, 'SELECT * FROM "_prisma_migrations" ORDER BY migration_name');
}

/** Runs migrate() in `count` separate processes, released at the same moment. */
async function migrateInProcesses(provider: Provider, url: string, count: number): Promise<unknown[]> {
  const script = path.join(projectRoot, 'test', 'support', 'migrateProcess.cjs');
  const children = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, [script, provider, url], {
      cwd: projectRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.startsWith('ready\n')) resolve();
      });
      child.on('close', () => reject(new Error(`migrate process ended before it was ready: ${err}`)));
    });
    const done = new Promise<unknown>((resolve, reject) => {
      child.on('close', (code) => {
        const line = out.split('\n')[1];
        if (code !== 0 || !line) reject(new Error(`migrate process failed (exit ${code}): ${err}${out}`));
        else resolve(JSON.parse(line));
      });
    });
    return { child, ready, done };
  });
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.child.stdin.write('go\n');
  return Promise.all(children.map((c) => c.done));
}

describe.each(testDatabases())('migrations on $name', (kind) => {
  const provider = kind.name;
  const temps = new TempDatabases(kind);
  const expected = committedMigrations(provider);

  afterEach(() => temps.dropAll());

  test('there is at least one committed migration', () => {
    expect(expected.length).toBeGreaterThan(0);
  });

  test('a fresh database gets every migration applied and recorded as Prisma records them', async () => {
    const { url } = await temps.create();
    const before = Date.now();
    const result = await migrate(provider, url);
    expect(result).toEqual({ applied: expected.map((m) => m.name), alreadyApplied: 0 });

    const rows = await records(url);
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(expected.map((m) => [m.name, m.checksum]));
    for (const row of rows) {
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.finished_at).not.toBeNull();
      expect(new Date(row.finished_at as string).getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(row.rolled_back_at).toBeNull();
      expect(row.started_at).not.toBeNull();
      expect(Number(row.applied_steps_count)).toBe(1);
    }
    // the migrations' tables are there
    const tables = await rawQuery<{ name: string }>(
      url,
      provider === 'sqlite'
        ? `SELECT name FROM sqlite_master WHERE type = 'table'`
        : `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['BotState', 'Beneficiary', 'Message', 'CaseEvent']),
    );
  });

  test('running it again applies nothing and records nothing', async () => {
    const { url } = await temps.create();
    await migrate(provider, url);
    const first = await records(url);
    await expect(migrate(provider, url)).resolves.toEqual({ applied: [], alreadyApplied: expected.length });
    expect(await records(url)).toEqual(first);
  });

  test('two concurrent migrate() calls on a fresh database apply each migration exactly once', async () => {
    const { url } = await temps.create();
    const results = await Promise.all([migrate(provider, url), migrate(provider, url)]);
    const applied = results.flatMap((r) => r.applied).sort();
    expect(applied).toEqual(expected.map((m) => m.name));
    expect(results.map((r) => r.applied.length + r.alreadyApplied)).toEqual([expected.length, expected.length]);
    const rows = await records(url);
    expect(rows.map((r) => r.migration_name)).toEqual(expected.map((m) => m.name));
  });

  test('instances starting together (separate processes) apply each migration exactly once', async () => {
    const { url } = await temps.create();
    const results = (await migrateInProcesses(provider, url, 2)) as {
      applied?: string[];
      alreadyApplied?: number;
      error?: string;
    }[];
    expect(results.filter((r) => r.error)).toEqual([]);
    expect(results.flatMap((r) => r.applied ?? []).sort()).toEqual(expected.map((m) => m.name));
    const rows = await records(url);
    expect(rows.map((r) => r.migration_name)).toEqual(expected.map((m) => m.name));
  });

  test('a recorded migration whose checksum no longer matches its file is refused', async () => {
    const { url } = await temps.create();
    await migrate(provider, url);
    const name = expected[0].name;
    const [checksum, migration] = provider === 'sqlite' ? ['?', '?'] : ['$1', '$2'];
    await rawQuery(url, `UPDATE "_prisma_migrations" SET checksum = ${checksum} WHERE migration_name = ${migration}`, [
      '0'.repeat(64),
      name,
    ]);
    const attempt = migrate(provider, url);
    await expect(attempt).rejects.toBeInstanceOf(MigrationError);
    await expect(attempt).rejects.toThrow(`migration ${name} was changed after it was applied (checksum differs)`);
    expect((await records(url)).length).toBe(expected.length);
  });

  test('a migration recorded as started but never finished blocks the runner', async () => {
    const { url } = await temps.create();
    await migrate(provider, url);
    await rawQuery(url, `UPDATE "_prisma_migrations" SET finished_at = NULL`);
    await expect(migrate(provider, url)).rejects.toThrow(/started but did not finish/);
  });

  if (provider === 'sqlite') {
    test('the Prisma CLI recognises our records: `prisma migrate status` says up to date', async () => {
      const upToDate = await temps.create();
      const behind = await temps.create();
      await migrate(provider, upToDate.url);
      await migrate(provider, behind.url);
      // a database whose last migration is not recorded, to show that the CLI really reads our records
      const last = expected[expected.length - 1].name;
      await rawQuery(behind.url, `DELETE FROM "_prisma_migrations" WHERE migration_name = ?`, [last]);

      const [ok, late] = await Promise.all([
        runPrismaCli(['migrate', 'status'], upToDate.url),
        runPrismaCli(['migrate', 'status'], behind.url),
      ]);
      expect(ok.stdout).toContain(`SQLite database "${path.basename(sqliteFile(upToDate.url))}"`);
      expect(ok.stdout).toContain(`${expected.length} migration${expected.length > 1 ? 's' : ''} found`);
      expect(ok.stdout).toContain('Database schema is up to date!');
      expect(ok.code).toBe(0);

      expect(late.stdout).not.toContain('Database schema is up to date!');
      expect(late.stdout).toMatch(/not yet been applied/);
      expect(late.stdout).toContain(last);
      expect(late.code).not.toBe(0);
    });
  }
});
