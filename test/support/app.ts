// Starts the real application (the same startApp as `npm start`) on a free port, on a given
// database, for end-to-end and browser tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, type App, type StartOptions } from '../../bot/app';
import { loadConfig } from '../../bot/config';
import { silentLogger } from '../../bot/logger';

export async function startTestApp(databaseUrl: string, env: Record<string, string> = {}, options: StartOptions = {}): Promise<App> {
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
    QUIET_HOURS: 'off',
    DIRECTLINE_TOKENS_PER_MINUTE: '100000',
    DIRECTLINE_POSTS_PER_MINUTE: '100000',
    ...env,
  });
  return startApp(config, silentLogger, { warmUp: false, longPollMs: 2000, ...options });
}

/**
 * The app on a fresh SQLite database for the tests of one file: started before them, stopped (and
 * its database dropped) after. Call it at the top of a file or a describe block; the getter gives
 * the running app.
 */
export function appForTests(env: Record<string, string> = {}, options: StartOptions = {}): () => App {
  let tmp: { url: string; drop(): Promise<void> } | undefined;
  let app: App | undefined;
  beforeAll(async () => {
    const { createTempSqlite } = await import('./databases');
    tmp = await createTempSqlite();
    app = await startTestApp(tmp.url, env, options);
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await tmp?.drop();
  });
  return () => {
    if (!app) throw new Error('the app is not started yet (use it inside a test)');
    return app;
  };
}
