// The built-in web chat page: GET / serves a page that runs Microsoft's Web Chat, taken from the
// installed botframework-webchat package (no CDN: works offline), connected to our local
// Direct Line endpoint. `/?lang=ar` opens it in Arabic, right to left.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Request, Response, Server } from 'restify';
import { LANGUAGES, isLanguageCode, language } from '../../languages';
import { projectRoot } from '../../paths';

// Static files stay in the source tree (the build compiles TypeScript only).
const PUBLIC = path.join(projectRoot, 'bot', 'channels', 'webchat', 'public');
// The package exports only its modules; its main file is lib/index.js, next to dist/.
const WEBCHAT_BUNDLE = path.join(path.dirname(require.resolve('botframework-webchat')), '..', 'dist', 'webchat.js');

interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

/** Loads a file once, with its gzip form (the Web Chat bundle is 4 MB, 1 MB gzipped). */
function loadAsset(file: string): Asset {
  const body = fs.readFileSync(file);
  const gzip = zlib.gzipSync(body, { level: 6 });
  return { type: TYPES[path.extname(file)] ?? 'application/octet-stream', body, gzip, etag: `"${fs.statSync(file).mtimeMs.toString(36)}-${body.length.toString(36)}"` };
}

function sendAsset(req: Request, res: Response, asset: Asset, maxAge: number) {
  res.setHeader('Content-Type', asset.type);
  res.setHeader('Cache-Control', `public, max-age=${maxAge}`);
  res.setHeader('ETag', asset.etag);
  res.setHeader('Vary', 'Accept-Encoding');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304);
    res.end();
    return;
  }
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  res.writeHead(200);
  res.end(gzip ? asset.gzip : asset.body);
}

export function registerWebChatPage(server: Server): void {
  const assets = new Map<string, () => Asset>();
  const lazy = (file: string) => {
    let asset: Asset | undefined;
    return () => (asset ??= loadAsset(file));
  };
  assets.set('webchat.js', lazy(WEBCHAT_BUNDLE));
  for (const name of ['app.js', 'app.css', 'strings.json']) assets.set(name, lazy(path.join(PUBLIC, name)));
  const template = fs.readFileSync(path.join(PUBLIC, 'index.html'), 'utf8');

  server.get('/', async (req: Request, res: Response) => {
    const requested = typeof req.query?.lang === 'string' ? req.query.lang : undefined;
    const code = isLanguageCode(requested) ? requested : 'fr';
    // The first paint already has the right direction; the page script takes over from there.
    const html = template
      .replace('{{lang}}', code)
      .replace('{{dir}}', language(code).rtl ? 'rtl' : 'ltr')
      .replace('{{languages}}', JSON.stringify(LANGUAGES.map((l) => ({ code: l.code, rtl: l.rtl, name: l.nativeName }))));
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.writeHead(200);
    res.end(html);
  });

  server.get('/webchat/:file', async (req: Request, res: Response) => {
    const asset = assets.get(String(req.params.file));
    if (!asset) {
      res.send(404, { error: { code: 'NotFound', message: 'No such file.' } });
      return;
    }
    sendAsset(req, res, asset(), req.params.file === 'webchat.js' ? 86400 : 300);
  });
}
