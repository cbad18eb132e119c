// Shared by the Prisma scripts: the full schema of a provider, built from the shared models.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// The CLI needs a URL of the right provider to read a schema; generate and diff never connect to it.
export const placeholderUrls = {
  sqlite: 'file::memory:',
  // migrate diff opens a connection on PostgreSQL (it reads nothing): any reachable server does.
  postgresql: process.env.PRISMA_DIFF_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
};

export function schemaText(provider, models) {
  return `// GENERATED from prisma/models.prisma by scripts/prisma-generate.mjs: do not edit.
generator client {
  provider     = "prisma-client"
  output       = "../generated/${provider}"
  engineType   = "client"
  moduleFormat = "cjs"
}

datasource db {
  provider = "${provider}"
  url      = env("DATABASE_URL")
}

${models}`;
}

/** Runs the Prisma CLI for a provider; returns its stdout. */
export function prisma(provider, args) {
  return execFileSync(process.execPath, [join(root, 'node_modules', 'prisma', 'build', 'index.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DATABASE_URL: placeholderUrls[provider], PRISMA_HIDE_UPDATE_MESSAGE: '1' },
  });
}
