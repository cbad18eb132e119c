// The built-in web chat page: GET / serves a page that runs Microsoft's Web Chat, taken from the
// installed botframework-webchat package (no CDN: works offline), connected to our local
// Direct Line endpoint. `/?lang=ar` opens it in Arabic, right to left.
// Every answer here carries a Content-Security-Policy: scripts from this server only (no inline
// script, no eval), no frame but where WEBCHAT_FRAME_ANCESTORS allows (default: none), and no
// Referer sent anywhere. (Web Chat puts its styles inline, hence 'unsafe-inline' for styles only.)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Request, Response, Server } from 'restify';
import { translator } from '../../i18n';
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

export interface PageOptions {
  /** CSP frame-ancestors sources (WEBCHAT_FRAME_ANCESTORS), e.g. "'none'" or "https://partner.example.org" */
  frameAncestors?: string;
}

/** The security headers of the page and its files. */
export function pageHeaders(frameAncestors = "'none'"): Record<string, string> {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');
  const frame = frameAncestors === "'none'" ? 'DENY' : frameAncestors === "'self'" ? 'SAMEORIGIN' : undefined;
  return {
    'Content-Security-Policy': csp,
    // for browsers without frame-ancestors; a list of partner origins has no equivalent here
    ...(frame && { 'X-Frame-Options': frame }),
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function setHeaders(res: Response, headers: Record<string, string>) {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
}

function sendAsset(req: Request, res: Response, asset: Asset, maxAge: number) {
  res.setHeader('Content-Type', asset.type);
  res.setHeader('Cache-Control', `public, max-age=${maxAge}`);
  res.setHeader('ETag', asset.etag);
  res.setHeader('Vary', 'Accept-Encoding');
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

export function registerWebChatPage(server: Server, options: PageOptions = {}): void {
  const headers = pageHeaders(options.frameAncestors);
  const assets = new Map<string, () => Asset>();
  const lazy = (file: string) => {
    let asset: Asset | undefined;
    return () => (asset ??= loadAsset(file));
  };
  assets.set('webchat.js', lazy(WEBCHAT_BUNDLE));
  for (const name of ['app.js', 'app.css', 'strings.json']) assets.set(name, lazy(path.join(PUBLIC, name)));
  const template = fs.readFileSync(path.join(PUBLIC, 'index.html'), 'utf8');
  // (JSON in a data block: "<" escaped, so no text in it can close the element.)
  const languagesJson = JSON.stringify(LANGUAGES.map((l) => ({ code: l.code, rtl: l.rtl, name: l.nativeName, forget: translator(l.code)('forget.link') }))).replace(/</g, '\\u003c');

  server.get('/', async (req: Request, res: Response) => {
    const requested = typeof req.query?.lang === 'string' ? req.query.lang : undefined;
    const code = isLanguageCode(requested) ? requested : 'fr';
    // The first paint already has the right direction; the page script takes over from there.
    const html = template
      .replace('{{lang}}', code)
      .replace('{{dir}}', language(code).rtl ? 'rtl' : 'ltr')
      .replace('{{forget}}', escapeHtml(translator(code)('forget.link')))
      .replace('{{languages}}', languagesJson);
    setHeaders(res, headers);
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.writeHead(200);
    res.end(html);
  });

  server.get('/webchat/:file', async (req: Request, res: Response) => {
    const asset = assets.get(String(req.params.file));
    setHeaders(res, headers);
    if (!asset) {
      res.send(404, { error: { code: 'NotFound', message: 'No such file.' } });
      return;
    }
    sendAsset(req, res, asset(), req.params.file === 'webchat.js' ? 86400 : 300);
  });
}
