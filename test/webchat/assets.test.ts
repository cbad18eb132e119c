// The page's files over HTTP: versioned addresses cached for a year, compressed per
// Accept-Encoding (the build's brotli/gzip files, or made in memory when the build did not run),
// the page itself re-checked each time; the fonts and Web Chat's minimal bundle; precompress()
// writes once and keeps what is there.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import type { App } from '../../bot/runtime/app';
import { startTestApp } from '../support/app';
import { createTempSqlite } from '../support/databases';
import type { TempDatabase } from '../support/postgres';
import { CACHE_DIR, precompress, webChatAssets } from '../../bot/channels/webchat/assets';
import { chooseEncoding } from '../../bot/channels/webchat/page';

let tmp: TempDatabase;
let app: App;

beforeAll(async () => {
  tmp = await createTempSqlite();
  app = await startTestApp(tmp.url);
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await tmp?.drop();
});

/** A GET with exactly these headers (fetch would add its own Accept-Encoding and decode). */
function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

test('Accept-Encoding: brotli first, then gzip, q=0 refuses', () => {
  expect(chooseEncoding('gzip, deflate, br')).toBe('br');
  expect(chooseEncoding('gzip')).toBe('gzip');
  expect(chooseEncoding('br;q=0, gzip')).toBe('gzip');
  expect(chooseEncoding('identity')).toBeUndefined();
  expect(chooseEncoding(undefined)).toBeUndefined();
  expect(chooseEncoding('*')).toBe('br');
});

test('the page names versioned files; each compressed, cached for a year, the same bytes once decoded', async () => {
  const page = await get(`${app.url}/?lang=ti`, { 'Accept-Encoding': 'br' });
  expect(page.status).toBe(200);
  expect(page.headers['content-encoding']).toBe('br');
  expect(page.headers['cache-control']).toBe('no-cache');
  expect(page.headers.vary).toMatch(/Accept-Encoding/);
  const html = zlib.brotliDecompressSync(page.body).toString();
  expect(html).toMatch(/<title>ፓሰረል – ሓገዝ ንስራሕ<\/title>/);
  const urls = [...html.matchAll(/(?:src|href)="(\/webchat\/v\/[0-9a-f]{16}\/[\w.-]+)"/g)].map((m) => m[1]);
  expect(urls.map((u) => path.basename(u)).sort()).toEqual(['app.css', 'app.js', 'webchat.js']);
  // the page's ETag: a second visit costs a 304
  expect((await get(`${app.url}/?lang=ti`, { 'If-None-Match': String(page.headers.etag) })).status).toBe(304);

  for (const url of urls) {
    const plain = await get(`${app.url}${url}`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const br = await get(`${app.url}${url}`, { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(zlib.brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    const gz = await get(`${app.url}${url}`, { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.body).equals(plain.body)).toBe(true);
    expect(br.body.length).toBeLessThan(plain.body.length / 2);
  }
});

test("Web Chat's minimal bundle, under 400 KB in brotli; the CSS names fonts by versioned addresses", async () => {
  const assets = webChatAssets();
  // What `npm start` serves: the build's brotli (quality 11), made here as the build makes it. (Without
  // it the server compresses in memory with quicker settings; the test then measured whichever ran first.)
  await precompress();
  const js = assets.get('webchat.js')!;
  expect(fs.statSync(path.join(CACHE_DIR, `${js.hash}-webchat.js.br`)).size).toBeLessThan(400_000);
  const bundle = await get(`${app.url}${js.url}`, { 'Accept-Encoding': 'br' });
  expect(zlib.brotliDecompressSync(bundle.body).toString('latin1')).toMatch(/renderWebChat/);
  const css = assets.get('app.css')!.body.toString();
  for (const name of ['arabic-400.woff2', 'arabic-700.woff2', 'ethiopic-400.woff2', 'ethiopic-700.woff2']) {
    const font = assets.get(name)!;
    expect(css).toContain(`url(${font.url})`);
    const res = await get(`${app.url}${font.url}`, { 'Accept-Encoding': 'br' });
    expect(res.headers['content-type']).toBe('font/woff2');
    expect(res.headers['content-encoding']).toBeUndefined(); // woff2 is compressed already
    expect(res.body.subarray(0, 4).toString('latin1')).toBe('wOF2');
  }
  expect(css).not.toMatch(/\{\{font/);
  expect(css.match(/@font-face \{/g)).toHaveLength(4); // regular and bold of each script
  expect(css).toMatch(
    /font-family: 'Noto Sans Ethiopic';[^}]*font-weight: 700;[^}]*unicode-range: U\+030E, U\+1200-1399/,
  );
});

test("an old version's address gets today's file, not cached long; unknown file: 404 with page headers", async () => {
  const app_js = webChatAssets().get('app.js')!;
  const old = await get(`${app.url}/webchat/v/0123456789abcdef/app.js`);
  expect(old.status).toBe(200);
  expect(old.body.equals(app_js.body)).toBe(true);
  expect(old.headers['cache-control']).toBe('no-cache');
  const plain = await get(`${app.url}/webchat/app.js`);
  expect(plain.headers['cache-control']).toBe('no-cache');
  expect((await get(`${app.url}/webchat/app.js`, { 'If-None-Match': `"${app_js.hash}"` })).status).toBe(304);
  const missing = await get(`${app.url}/webchat/v/${app_js.hash}/nope.js`);
  expect(missing.status).toBe(404);
  expect(missing.headers['content-security-policy']).toMatch(/script-src 'self'/);
});

test('precompress() writes the brotli and gzip files once, then has nothing to do', async () => {
  await precompress();
  const again = await precompress();
  expect(again.written).toEqual([]);
  const js = webChatAssets().get('webchat.js')!;
  const file = path.join(CACHE_DIR, `${js.hash}-webchat.js.br`);
  expect(zlib.brotliDecompressSync(fs.readFileSync(file)).equals(js.body)).toBe(true);
  expect(fs.existsSync(path.join(CACHE_DIR, `${js.hash}-webchat.js.gz`))).toBe(true);
  // nothing for the fonts (already compressed)
  expect(fs.readdirSync(CACHE_DIR).some((f) => f.includes('woff2'))).toBe(false);
}, 60_000);
