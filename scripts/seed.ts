// npm run db:seed: loads the demo data into DATABASE_URL (after applying migrations).
import { loadConfig } from '../bot/runtime/config';
import { openDatabase } from '../bot/db/client';
import { seedDemoData } from '../prisma/seed';

async function main() {
  const config = loadConfig();
  const db = await openDatabase(config.databaseUrl);
  try {
    const added = await seedDemoData(db.prisma, { timeZone: config.appTimezone });
    console.log(
      `Demo data: added ${added.structures} structures, ${added.contacts} contacts, ${added.staff} staff ` +
        `account(s), ${added.workshops} workshops, ${added.sessions} sessions.`,
    );
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(`Seeding failed: ${(err as Error).message}`);
  process.exit(1);
});
