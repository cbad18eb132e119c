// Starts the real application (the same startApp as `npm start`) on a free port, on a given
// database, for end-to-end and browser tests; appForTests and staffForTests set up a test file
// with it (its hooks included).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, type App, type StartOptions } from '../../bot/runtime/app';
import { loadConfig } from '../../bot/runtime/config';
import { silentLogger } from '../../bot/runtime/logger';
import type { Role } from '../../bot/services/staff';
import { signedIn, type StaffClient } from './cipApi';
import { sqliteKind, type TestDatabaseKind } from './databases';
import type { TempDatabase } from './postgres';

export async function startTestApp(
  databaseUrl: string,
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<App> {
  const media = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-media-'));
  // No quiet hours unless a test asks for them: tests run at any hour. The web chat's rate limits per
  // address are out of the way too (every test client is 127.0.0.1): test/security sets its own.
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    DEMO_DATA: 'on',
    SHUTDOWN_TIMEOUT_MS: '2000',
    MEDIA_DIR: media,
    VOICE_CACHE_DIR: path.join(media, 'voice-cache'),
    QUIET_HOURS: 'off',
    DIRECTLINE_TOKENS_PER_MINUTE: '100000',
    DIRECTLINE_POSTS_PER_MINUTE: '100000',
    ...env,
  });
  return startApp(config, silentLogger, { warmUp: false, longPollMs: 2000, ...options });
}

/** What appForTests gives: call it for the running app (inside tests and hooks). */
export interface TestApp {
  (): App;
  /** The URL of the app's database, to start another app on it (a second instance, other settings). */
  databaseUrl(): string;
  /** Stops the app and starts it again on the same database with the same settings. */
  restart(): Promise<App>;
}

/**
 * The app on a fresh database for the tests of one file or describe block: started in beforeAll,
 * stopped (and its database dropped) in afterAll. SQLite unless a kind of testDatabases() is given:
 *
 *   const testApp = appForTests({ DEMO_DATA: 'off' });
 *   describe.each(testDatabases())('on $name', (kind) => { const testApp = appForTests({}, {}, kind); … });
 *
 * Hooks run in the order they are declared (afterAll too): a hook that needs the app comes after
 * this call; one that must run before the app stops (closing a browser) comes before it.
 */
export function appForTests(
  env: Record<string, string> = {},
  options: StartOptions = {},
  kind: TestDatabaseKind = sqliteKind,
): TestApp {
  let tmp: TempDatabase | undefined;
  let app: App | undefined;
  beforeAll(async () => {
    tmp = await kind.create();
    app = await startTestApp(tmp.url, env, options);
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await tmp?.drop();
  });
  const running = () => {
    if (!app) throw new Error('the app is not started yet (use it inside a test)');
    return app;
  };
  const databaseUrl = () => {
    if (!tmp) throw new Error('the database is made in beforeAll (use it inside a test)');
    return tmp.url;
  };
  const restart = async () => {
    await running().stop();
    app = undefined; // stopped: afterAll has nothing to stop if the new start fails
    app = await startTestApp(databaseUrl(), env, options);
    return app;
  };
  return Object.assign(running, { databaseUrl, restart });
}

/**
 * Members of staff of these roles, signed in once the app is up (in beforeAll; declare it after
 * appForTests), one client each in the same order:
 *
 *   const [cip, otherCip, coordinator] = staffForTests(testApp, 'cip', 'cip', 'coordinator');
 *
 * The clients exist at once and are filled in before the tests, so they can be used as defaults.
 */
export function staffForTests(app: () => App, ...roles: Role[]): StaffClient[] {
  const clients = roles.map(() => ({}) as StaffClient);
  beforeAll(async () => {
    for (const [i, role] of roles.entries()) Object.assign(clients[i], await signedIn(app(), role));
  });
  return clients;
}
