// Prisma CLI configuration (Prisma 6.19, JS engine: no engine binary is downloaded).
// The provider follows DATABASE_URL: postgresql://... selects PostgreSQL, anything else SQLite.
import path from 'node:path';
import type { PrismaConfig } from 'prisma';

const url = process.env.DATABASE_URL ?? 'file:./data/passerelle.db';
const provider = /^postgres(ql)?:\/\//.test(url) ? 'postgresql' : 'sqlite';

export default {
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', provider, 'schema.prisma'),
  async adapter() {
    if (provider === 'postgresql') {
      const { PrismaPg } = await import('@prisma/adapter-pg');
      return new PrismaPg({ connectionString: url });
    }
    const { PrismaBetterSQLite3 } = await import('@prisma/adapter-better-sqlite3');
    return new PrismaBetterSQLite3({ url });
  },
} satisfies PrismaConfig;
