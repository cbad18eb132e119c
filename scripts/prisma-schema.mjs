// Shared by the Prisma scripts: the full schema of a provider, built from the shared models.
// Two Prisma CLIs are installed (see README, "Case database"):
// - `prisma` (Prisma 7, package `prisma`): generates the clients the app uses. Its `migrate`
//   commands need Prisma's schema engine binary, which only Prisma's own server hands out.
// - `prisma6` (Prisma 6.19, npm alias `prisma6` of `prisma@6.19.3`, a dev dependency): runs its
//   schema engine in WebAssembly through a driver adapter (prisma/cli6.config.ts), so `migrate diff`
//   and `migrate status` work offline. Only scripts/db-migration.mjs and the schema tests use it.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// The CLIs need a URL of the right provider to read a schema; generate and diff never connect to it.
export const placeholderUrls = {
  sqlite: 'file::memory:',
  // prisma6's migrate diff opens a connection on PostgreSQL (it reads nothing): any reachable server does.
  postgresql: process.env.PRISMA_DIFF_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
};

/** prisma/<provider>/schema.prisma, for Prisma 7: its client generator; the URL is in prisma.config.ts. */
export function schemaText(provider, models) {
  return `// GENERATED from prisma/models.prisma by scripts/prisma-generate.mjs: do not edit.
generator client {
  provider     = "prisma-client"
  output       = "../generated/${provider}"
  moduleFormat = "cjs"
}

datasource db {
  provider = "${provider}"
}

${models}`;
}

/** The same models as Prisma 6.19's CLI reads them (prisma/<provider>/cli6.prisma and migration diffs). */
export function cli6SchemaText(provider, models) {
  return `// GENERATED from prisma/models.prisma by scripts/prisma-generate.mjs, for the prisma6 CLI: do not edit.
generator client {
  provider   = "prisma-client"
  output     = "../generated/${provider}"
  engineType = "client"
}

datasource db {
  provider = "${provider}"
  url      = env("DATABASE_URL")
}

${models}`;
}

function run(cli, provider, args) {
  return execFileSync(process.execPath, [join(root, 'node_modules', cli, 'build', 'index.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      // `prisma generate` never runs the schema engine, but Prisma 7 downloads one first unless
      // this names an executable: any will do (a real engine named by the caller is kept).
      ...(cli === 'prisma' ? { PRISMA_SCHEMA_ENGINE_BINARY: process.execPath } : {}),
      ...process.env,
      DATABASE_URL: placeholderUrls[provider],
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    },
  });
}

/** Runs the Prisma 7 CLI (generate) for a provider; returns its stdout. */
export function prisma(provider, args) {
  return run('prisma', provider, args);
}

/** Runs the Prisma 6.19 CLI (migrate diff, migrate status) with prisma/cli6.config.ts; returns its stdout. */
export function prisma6(provider, args) {
  return run('prisma6', provider, [...args, '--config', join('prisma', 'cli6.config.ts')]);
}

/**
 * Both CLI packages declare the command `prisma`: make node_modules/.bin/prisma the Prisma 7 one
 * (npm links whichever comes last). The Prisma 6.19 CLI stays reachable as node_modules/prisma6.
 */
export function linkPrismaBin() {
  const bin = join(root, 'node_modules', '.bin', 'prisma');
  const target = join(root, 'node_modules', 'prisma', 'build', 'index.js');
  if (!existsSync(target)) return;
  let current = null;
  try {
    current = lstatSync(bin).isSymbolicLink() ? readlinkSync(bin) : null;
  } catch {
    // no link yet
  }
  const wanted = relative(dirname(bin), target);
  if (current === wanted) return;
  rmSync(bin, { force: true });
  symlinkSync(wanted, bin);
}
