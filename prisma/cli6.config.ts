// Configuration of the Prisma 6.19 CLI (`node_modules/prisma6`, see scripts/prisma-schema.mjs),
// kept for `migrate diff` (scripts/db-migration.mjs, the schema tests) and `migrate status`: with
// `engine: 'js'` it runs its schema engine in WebAssembly over a driver adapter, so it needs no
// engine binary. Pass it with --config. The provider follows DATABASE_URL like prisma.config.ts.
import path from 'node:path';
import type { PrismaConfig } from 'prisma6';

const url = process.env.DATABASE_URL ?? 'file:./data/passerelle.db';
const provider = /^postgres(ql)?:\/\//.test(url) ? 'postgresql' : 'sqlite';

export default {
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join(__dirname, provider, 'cli6.prisma'),
  migrations: { path: path.join(__dirname, provider, 'migrations') },
  async adapter() {
    // The Prisma 7 adapters serve the Prisma 6.19 CLI as well.
    if (provider === 'postgresql') {
      const { PrismaPg } = await import('@prisma/adapter-pg');
      // the pool lets its idle connection go at once, so the CLI exits without waiting for it
      return new PrismaPg({ connectionString: url, idleTimeoutMillis: 1 });
    }
    const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
    return new PrismaBetterSqlite3({ url });
  },
} satisfies PrismaConfig;
