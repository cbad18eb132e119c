// Passerelle: the composition root. Reads and checks the configuration, starts the application
// (database -> adapters -> bot -> server -> scheduler), and stops it in reverse on SIGTERM/SIGINT.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, ConfigError } from './bot/runtime/config';
import { createLogger } from './bot/runtime/logger';
import { projectRoot } from './bot/runtime/paths';
import { startApp } from './bot/runtime/app';
import { safeError } from './bot/runtime/safeError';

async function main() {
  // A .env file, when there is one, fills in variables the environment does not set.
  const envFile = path.join(projectRoot, '.env');
  if (fs.existsSync(envFile)) process.loadEnvFile(envFile);

  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every variable and its default.\n`);
      process.exit(1);
    }
    throw err;
  }

  const log = createLogger(config.logLevel);
  // The signals are heard from the start: a stop asked while the app is still starting (its port
  // may already be open) waits for the start to end, then stops it like any other.
  const starting = startApp(config, log);
  let signals = 0;
  const shutdown = async (signal: string) => {
    if (++signals > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    log.info({ signal }, 'shutting down: finishing turns in progress');
    try {
      await (await starting).stop();
      log.info('stopped');
      process.exit(0);
    } catch (err) {
      log.error({ err: safeError(err) }, 'error while stopping');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  const app = await starting;
  log.info(
    { url: app.url, port: config.port, database: config.databaseProvider },
    `Passerelle is running: open http://localhost:${config.port}`,
  );
  process.on('unhandledRejection', (reason) => log.error({ err: safeError(reason) }, 'unhandled rejection'));
}

main().catch((err) => {
  process.stderr.write(`Passerelle could not start: ${(err as Error).message}\n`);
  process.exit(1);
});
