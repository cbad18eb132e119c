// Prisma CLI configuration (Prisma 7). The provider follows DATABASE_URL: postgresql://... selects
// PostgreSQL, anything else SQLite. The app itself never reads this file (bot/db/client.ts opens
// the database with a driver adapter); migrations are applied by bot/db/migrate.ts, not the CLI.
import path from 'node:path';
import { defineConfig } from 'prisma/config';

const url = process.env.DATABASE_URL ?? 'file:./data/passerelle.db';
const provider = /^postgres(ql)?:\/\//.test(url) ? 'postgresql' : 'sqlite';

export default defineConfig({
  schema: path.join('prisma', provider, 'schema.prisma'),
  migrations: { path: path.join('prisma', provider, 'migrations') },
  datasource: { url },
});
