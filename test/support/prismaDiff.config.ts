// Prisma CLI configuration for tests that run `prisma migrate diff` on PostgreSQL (pass it with
// --config): the same as prisma.config.ts, but the pg pool lets its idle connection go at once, so
// the CLI exits about 10 s sooner (pg's default idle timeout), and the schema path is absolute
// since this file is not at the project's root.
import path from 'node:path';
import type { PrismaConfig } from 'prisma';

const url = process.env.DATABASE_URL ?? 'file:./data/passerelle.db';
const provider = /^postgres(ql)?:\/\//.test(url) ? 'postgresql' : 'sqlite';

export default {
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join(__dirname, '..', '..', 'prisma', provider, 'schema.prisma'),
  async adapter() {
    if (provider === 'postgresql') {
      const { PrismaPg } = await import('@prisma/adapter-pg');
      return new PrismaPg({ connectionString: url, idleTimeoutMillis: 1 });
    }
    const { PrismaBetterSQLite3 } = await import('@prisma/adapter-better-sqlite3');
    return new PrismaBetterSQLite3({ url });
  },
} satisfies PrismaConfig;
