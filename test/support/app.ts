// Starts the real application (the same startApp as `npm start`) on a free port, on a given
// database, for end-to-end and browser tests.
import { startApp, type App, type StartOptions } from '../../bot/app';
import { loadConfig } from '../../bot/config';
import { silentLogger } from '../../bot/logger';

export async function startTestApp(databaseUrl: string, env: Record<string, string> = {}, options: StartOptions = {}): Promise<App> {
  const config = loadConfig({ DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', DEMO_DATA: 'on', SHUTDOWN_TIMEOUT_MS: '2000', ...env });
  return startApp(config, silentLogger, { warmUp: false, longPollMs: 2000, ...options });
}
