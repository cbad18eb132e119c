// npm run db:migrate: applies the committed migrations to DATABASE_URL (SQLite or PostgreSQL).
import { loadConfig } from '../bot/runtime/config';
import { migrate } from '../bot/db/migrate';

async function main() {
  const config = loadConfig();
  const { applied, alreadyApplied } = await migrate(config.databaseProvider, config.databaseUrl);
  console.log(
    `${config.databaseProvider}: ${applied.length} migration(s) ` +
      `applied${applied.length ? ` (${applied.join(', ')})` : ''}, ${alreadyApplied} already applied.`,
  );
}

main().catch((err) => {
  console.error(`Migration failed: ${(err as Error).message}`);
  process.exit(1);
});
