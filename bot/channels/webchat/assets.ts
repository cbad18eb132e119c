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
 * The fonts: Noto Sans Arabic (ar, fa, ps) and Noto Sans Ethiopic (ti), regular and bold, only
 * their own script's subset (Latin and Cyrillic come from the system), each downloaded only when a
 * letter of its range is on the screen.
 */
const FONTS_OF_SCRIPTS = [
  {
    family: 'Noto Sans Arabic',
    pkg: 'noto-sans-arabic',
    subset: 'arabic',
    range:
      'U+0600-06FF, U+0750-077F, U+0870-088E, U+0890-0891, U+0897-08E1, U+08E3-08FF, U+200C-200E, U+2010-2011, ' +
      'U+204F, U+2E41, U+FB50-FDFF, U+FE70-FE74, U+FE76-FEFC',
  },
  {
    family: 'Noto Sans Ethiopic',
    pkg: 'noto-sans-ethiopic',
    subset: 'ethiopic',
    range: 'U+030E, U+1200-1399, U+2D80-2DDE, U+AB01-AB2E',
  },
];
const FONT_FACES = FONTS_OF_SCRIPTS.flatMap((font) =>
  [400, 700].map((weight) => ({
    ...font,
    weight,
    name: `${font.subset}-${weight}.woff2`,
    file: path.join(FONTS(font.pkg), `${font.pkg}-${font.subset}-${weight}-normal.woff2`),
  })),
);

/** The @font-face rules of app.css, the fonts at their versioned addresses. */
function fontFaceRules(all: Map<string, StaticAsset>): string {
  return FONT_FACES.map((f) =>
    [
      '@font-face {',
      `  font-family: '${f.family}';`,
      '  font-style: normal;',
      '  font-display: swap;',
      `  font-weight: ${f.weight};`,
      `  src: url(${all.get(f.name)!.url}) format('woff2');`,
      `  unicode-range: ${f.range};`,
      '}',
    ].join('\n'),
  ).join('\n');
}

let loaded: Map<string, StaticAsset> | undefined;

/** The page's files, by name (read once). */
export function webChatAssets(): Map<string, StaticAsset> {
  if (loaded) return loaded;
  const all = new Map<string, StaticAsset>();
  const add = (a: StaticAsset) => all.set(a.name, a);
  add(asset('webchat.js', fs.readFileSync(path.join(WEBCHAT_DIST, 'webchat-minimal.js'))));
  for (const name of ['app.js', 'strings.json']) add(asset(name, fs.readFileSync(path.join(PUBLIC, name))));
  for (const font of FONT_FACES) add(asset(font.name, fs.readFileSync(font.file)));
  const css = fs.readFileSync(path.join(PUBLIC, 'app.css'), 'utf8').replace('/* {{fontFaces}} */', fontFaceRules(all));
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
