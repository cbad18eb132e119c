// The web chat page's static files: Microsoft's Web Chat bundle, our script, styles and Web Chat
// UI words, and the fonts the eight languages need. Each has a versioned address,
// /webchat/v/<content hash>/<name>, cached by browsers for a year (a new version is a new
// address), and is served compressed: brotli or gzip made once by `node scripts/build.mjs`
// (precompress(), into dist/public/, not committed), or, when that was not run (tests straight
// from the sources), made in memory at the first request with quicker settings.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { projectRoot } from '../../runtime/paths';

const PUBLIC = path.join(projectRoot, 'bot', 'channels', 'webchat', 'public');
// Web Chat's "minimal" bundle: everything we use (text, Markdown, suggested actions, files,
// pictures and sounds) without Adaptive Cards and the speech services, which the bot does not
// use: 1.9 MB instead of 3.9 MB (374 KB instead of 640 KB with brotli). A bot that sends cards
// needs the full dist/webchat.js.
// (The package exports only its modules; its main file is lib/index.js, next to dist/.)
const WEBCHAT_DIST = path.join(path.dirname(require.resolve('botframework-webchat')), '..', 'dist');
const FONTS = (pkg: string) => path.join(path.dirname(require.resolve(`@fontsource/${pkg}/package.json`)), 'files');

/** Where the build keeps the compressed files (gitignored with dist/). */
export const CACHE_DIR = path.join(projectRoot, 'dist', 'public');

export interface StaticAsset {
  name: string;
  type: string;
  body: Buffer;
  /** the first 16 hex digits of the content's SHA-256 */
  hash: string;
  /** /webchat/v/<hash>/<name> */
  url: string;
  /** woff2 is compressed already */
  compress: boolean;
}

const TYPES: Record<string, string> = {
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

function asset(name: string, body: Buffer): StaticAsset {
  const hash = crypto.createHash('sha256').update(body).digest('hex').slice(0, 16);
  const ext = path.extname(name);
  return {
    name,
    type: TYPES[ext] ?? 'application/octet-stream',
    body,
    hash,
    url: `/webchat/v/${hash}/${name}`,
    compress: ext !== '.woff2',
  };
}

/**
 * The fonts, by the name app.css uses: Noto Sans Arabic (ar, fa, ps) and Noto Sans Ethiopic (ti),
 * regular and bold, only their own script's subset (Latin and Cyrillic come from the system).
 */
const FONT_FILES: Record<string, string> = {
  'arabic-400.woff2': path.join(FONTS('noto-sans-arabic'), 'noto-sans-arabic-arabic-400-normal.woff2'),
  'arabic-700.woff2': path.join(FONTS('noto-sans-arabic'), 'noto-sans-arabic-arabic-700-normal.woff2'),
  'ethiopic-400.woff2': path.join(FONTS('noto-sans-ethiopic'), 'noto-sans-ethiopic-ethiopic-400-normal.woff2'),
  'ethiopic-700.woff2': path.join(FONTS('noto-sans-ethiopic'), 'noto-sans-ethiopic-ethiopic-700-normal.woff2'),
};

let loaded: Map<string, StaticAsset> | undefined;

/** The page's files, by name (read once). */
export function webChatAssets(): Map<string, StaticAsset> {
  if (loaded) return loaded;
  const all = new Map<string, StaticAsset>();
  const add = (a: StaticAsset) => all.set(a.name, a);
  add(asset('webchat.js', fs.readFileSync(path.join(WEBCHAT_DIST, 'webchat-minimal.js'))));
  for (const name of ['app.js', 'strings.json']) add(asset(name, fs.readFileSync(path.join(PUBLIC, name))));
  for (const [name, file] of Object.entries(FONT_FILES)) add(asset(name, fs.readFileSync(file)));
  // app.css names its fonts "{{font:arabic-400.woff2}}": their versioned addresses go in.
  const css = fs
    .readFileSync(path.join(PUBLIC, 'app.css'), 'utf8')
    .replace(/\{\{font:([\w.-]+)\}\}/g, (_, name: string) => {
      const font = all.get(name);
      if (!font) throw new Error(`app.css names an unknown font: ${name}`);
      return font.url;
    });
  add(asset('app.css', Buffer.from(css)));
  return (loaded = all);
}

export type Encoding = 'br' | 'gzip';

const cacheFile = (a: StaticAsset, encoding: Encoding) =>
  path.join(CACHE_DIR, `${a.hash}-${a.name}.${encoding === 'br' ? 'br' : 'gz'}`);

const compressors: Record<Encoding, (body: Buffer, best: boolean) => Promise<Buffer>> = {
  br: (body, best) =>
    new Promise((resolve, reject) =>
      zlib.brotliCompress(
        body,
        {
          params: {
            [zlib.constants.BROTLI_PARAM_QUALITY]: best ? 11 : 5,
            [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
          },
        },
        (e, out) => (e ? reject(e) : resolve(out)),
      ),
    ),
  gzip: (body, best) =>
    new Promise((resolve, reject) =>
      zlib.gzip(body, { level: best ? 9 : 6 }, (e, out) => (e ? reject(e) : resolve(out))),
    ),
};

const inMemory = new Map<string, Promise<Buffer>>();

/** The asset compressed: the build's file, else made now (once) with quicker settings. */
export function compressed(a: StaticAsset, encoding: Encoding): Promise<Buffer> {
  const file = cacheFile(a, encoding);
  let made = inMemory.get(file);
  if (!made) {
    made = fs.promises.readFile(file).catch(() => compressors[encoding](a.body, false));
    inMemory.set(file, made);
  }
  return made;
}

/** Writes what is missing in CACHE_DIR (the best compression) and removes older versions. */
export async function precompress(): Promise<{ written: string[]; kept: number }> {
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const wanted = new Set<string>();
  const written: string[] = [];
  for (const a of webChatAssets().values()) {
    if (!a.compress) continue;
    for (const encoding of ['br', 'gzip'] as const) {
      const file = cacheFile(a, encoding);
      wanted.add(path.basename(file));
      if (fs.existsSync(file)) continue;
      const body = await compressors[encoding](a.body, true);
      const temporary = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(temporary, body);
      fs.renameSync(temporary, file); // a server reading it never sees half a file
      written.push(path.basename(file));
    }
  }
  // (another build's file being written, *.tmp, is its own business)
  for (const old of fs.readdirSync(CACHE_DIR))
    if (!wanted.has(old) && !old.endsWith('.tmp')) fs.rmSync(path.join(CACHE_DIR, old), { force: true });
  return { written, kept: wanted.size - written.length };
}
