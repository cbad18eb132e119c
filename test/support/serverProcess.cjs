// The real application in a process of its own (from the TypeScript sources), so that tests can
// kill it (kill -9) and start it again. Configuration from the environment, as with `npm start`;
// PASSERELLE_TEST_TUNING may hold StartOptions.whatsapp as JSON. Prints "listening <url>" when
// ready; its warnings and errors go to stderr.
const path = require('node:path');

require('./tsLoader.cjs');

const root = path.join(__dirname, '..', '..');
const { loadConfig } = require(path.join(root, 'bot', 'runtime', 'config.ts'));
const { startApp } = require(path.join(root, 'bot', 'runtime', 'app.ts'));
const { createLogger } = require(path.join(root, 'bot', 'runtime', 'logger.ts'));

const tuning = process.env.PASSERELLE_TEST_TUNING ? JSON.parse(process.env.PASSERELLE_TEST_TUNING) : undefined;
// Warnings and errors on stderr: a test that fails shows what the server said (AppProcess.log()).
const log = createLogger('warn', process.stderr);
startApp(loadConfig(), log, { warmUp: false, whatsapp: tuning }).then(
  (app) => {
    process.stdout.write(`listening ${app.url}\n`);
    process.on('SIGTERM', () => app.stop().then(() => process.exit(0)));
  },
  (err) => {
    process.stderr.write(`could not start: ${err.stack}\n`);
    process.exit(1);
  },
);
