// The real server in a process of its own, for the broadcast benchmark (broadcast.ts), so that it
// can be measured alone (its RSS and CPU) and killed with kill -9. As `npm start` (index.ts):
// configuration from the environment (no .env file), the recognizers warmed up before listening;
// prints "listening <url>" when ready; SIGTERM stops it cleanly.
import { loadConfig } from '../bot/runtime/config';
import { createLogger } from '../bot/runtime/logger';
import { startApp } from '../bot/runtime/app';

async function main() {
  const config = loadConfig();
  const app = await startApp(config, createLogger(config.logLevel));
  process.stdout.write(`listening ${app.url}\n`);
  process.on(
    'SIGTERM',
    () =>
      void app.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      ),
  );
}

main().catch((err: Error) => {
  process.stderr.write(`could not start: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
