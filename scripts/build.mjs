// Compiles the TypeScript sources into dist/ when they changed since the last build, and does
// nothing otherwise, so that `npm start` after the first one listens within a few seconds.
// `npm run build -- --force` compiles whatever the dates say. The compile itself is incremental
// (dist/.tsbuildinfo): after a small change only what depends on it is checked again.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const stamp = join(root, 'dist', '.build-stamp');
// What the build reads (tsconfig.build.json): the sources, the generated Prisma clients, the configs.
const inputs = [
  'index.ts',
  'bot',
  'dialogs',
  'cards',
  'bench',
  'scripts',
  'prisma',
  'tsconfig.json',
  'tsconfig.build.json',
  'package-lock.json',
];
const skip = new Set(['node_modules', 'dist', 'test', 'testdata', 'migrations', 'public']);

function newest(path) {
  const full = join(root, path);
  if (!existsSync(full)) return 0;
  const info = statSync(full);
  if (!info.isDirectory()) return /\.(ts|js|mjs|json)$/.test(path) ? info.mtimeMs : 0;
  let latest = 0;
  for (const entry of readdirSync(full)) {
    if (!skip.has(entry)) latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

const force = process.argv.includes('--force');
const builtAt = existsSync(stamp) && existsSync(join(root, 'dist', 'index.js')) ? statSync(stamp).mtimeMs : 0;
const started = Date.now();
// The web chat page's files, compressed once (dist/scripts/precompress.js: quick when nothing changed).
const precompress = () =>
  spawnSync(process.execPath, [join(root, 'dist', 'scripts', 'precompress.js')], { cwd: root, stdio: 'inherit' });
if (!force && builtAt && inputs.every((p) => newest(p) <= builtAt)) {
  precompress();
  process.exit(0);
}

process.stderr.write('Compiling TypeScript (only when the sources changed)...\n');
const tsc = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p',
    'tsconfig.build.json',
    '--incremental',
    '--tsBuildInfoFile',
    'dist/.tsbuildinfo',
  ],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
// The stamp takes the time the build started: a source saved during the compile counts as newer.
writeFileSync(stamp, '');
utimesSync(stamp, new Date(started), new Date(started));
process.stderr.write(`Compiled in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
precompress();
