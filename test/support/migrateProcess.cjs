// A separate process that runs bot/db/migrate.ts's migrate() on a database when told to, so that
// tests can start several migrations at the same moment (as several instances starting together).
// Usage: node migrateProcess.cjs <provider> <url>; prints "ready", waits for a line on stdin,
// then prints the result as JSON ({"applied": [...], "alreadyApplied": n} or {"error": "..."}).
const path = require('node:path');

require('./tsLoader.cjs');

const { migrate } = require(path.join(__dirname, '..', '..', 'bot', 'db', 'migrate.ts'));
const [provider, url] = process.argv.slice(2);

process.stdout.write('ready\n');
process.stdin.once('data', () => {
  migrate(provider, url)
    .then(
      (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
      (err) => process.stdout.write(`${JSON.stringify({ error: String(err && err.message) })}\n`),
    )
    .finally(() => process.stdin.destroy());
});
