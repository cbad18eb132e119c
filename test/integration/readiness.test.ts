// Readiness: Database.ping() says whether the database answers, never throws and never takes
// longer than its timeout; GET /readyz of the real server follows it.
import net from 'node:net';
import { openDatabase } from '../../bot/db/client';
import type { App } from '../../bot/runtime/app';
import { testDatabases } from '../support/databases';
import { PG_ADMIN_URL, type TempDatabase } from '../support/postgres';
import { startTestApp } from '../support/app';
import { rawQuery } from '../support/integration';
import { freePort } from '../support/ports';

/** A PostgreSQL URL on this machine's server, with another database name or port. */
function pgUrl(change: { database?: string; port?: number }): string {
  const url = new URL(PG_ADMIN_URL);
  if (change.database) url.pathname = `/${change.database}`;
  if (change.port) url.port = String(change.port);
  return url.toString();
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - start };
}

describe.each(testDatabases())('readiness on $name', (kind) => {
  let tmp: TempDatabase;
  beforeEach(async () => {
    tmp = await kind.create();
  });
  afterEach(async () => {
    await tmp.drop();
  });

  test('ping() is true on a live database and false after close(), without reconnecting', async () => {
    const db = await openDatabase(tmp.url);
    try {
      await expect(db.ping()).resolves.toBe(true);
      await expect(db.ping(500)).resolves.toBe(true);
    } finally {
      await db.close();
    }
    const { value, ms } = await timed(() => db.ping(1000));
    expect(value).toBe(false);
    expect(ms).toBeLessThan(1300);
    // still closed on a second try (the first ping did not quietly open a new connection)
    await expect(db.ping(500)).resolves.toBe(false);
    if (kind.name === 'postgresql') {
      // no connection of ours is left on the server
      let others = -1;
      for (let i = 0; i < 50 && others !== 0; i++) {
        if (i) await new Promise((r) => setTimeout(r, 20));
        const [row] = await rawQuery<{ n: string }>(
          tmp.url,
          'SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        );
        others = Number(row.n);
      }
      expect(others).toBe(0);
    }
  });

  test('GET /readyz answers 200 on a live database and 503 once the database is closed underneath', async () => {
    // A short shutdown timeout: app.stop() leaves its turn-wait timer running for that long.
    const app: App = await startTestApp(tmp.url, { DEMO_DATA: 'off', SHUTDOWN_TIMEOUT_MS: '300' });
    try {
      const live = await fetch(`${app.url}/readyz`);
      expect(live.status).toBe(200);
      expect(await live.json()).toEqual({ status: 'ready' });
      const health = await fetch(`${app.url}/healthz`);
      expect(health.status).toBe(200);

      await app.db.close();
      const down = await fetch(`${app.url}/readyz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ status: 'unavailable' });
      // the process is alive, only not ready
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    } finally {
      await app.stop();
    }
  });
});

const describePg = testDatabases().some((k) => k.name === 'postgresql') ? describe : describe.skip;

describePg('readiness of unreachable PostgreSQL databases', () => {
  test.each([
    ['a database that does not exist', async () => pgUrl({ database: 'passerelle_test_does_not_exist' })],
    ['a port where nothing listens', async () => pgUrl({ port: await freePort() })],
  ])('%s: ping() is false, within its timeout', async (_, url) => {
    const db = await openDatabase(await url(), { migrate: false });
    try {
      const { value, ms } = await timed(() => db.ping(1000));
      expect(value).toBe(false);
      expect(ms).toBeLessThan(1500);
    } finally {
      await db.close();
    }
  });

  test('a server that accepts the connection but never answers: ping() is false after its timeout', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const db = await openDatabase(pgUrl({ port }), { migrate: false });
    try {
      const { value, ms } = await timed(() => db.ping(400));
      expect(value).toBe(false);
      expect(ms).toBeGreaterThanOrEqual(390);
      expect(ms).toBeLessThan(1000);
    } finally {
      // let the stuck connection attempt end, then close
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
      await db.close();
    }
  });
});
