// The built-in web chat page: GET / serves a page that runs Microsoft's Web Chat, taken from the
// installed botframework-webchat package (no CDN: works offline), connected to our local
// Direct Line endpoint. `/?lang=ar` opens it in Arabic, right to left: the first paint (title,
// header, language switch, "loading") is already in the page's language; the page's words in all
// eight languages travel in its JSON data block (locales page.*), for app.js.
// Its files (assets.ts) have versioned addresses, cached for a year, and go out compressed
// (brotli or gzip, Vary: Accept-Encoding); the page itself is asked again each time (no-cache).
// Every answer here carries a Content-Security-Policy: scripts from this server only (no inline
// script, no eval), no frame but where WEBCHAT_FRAME_ANCESTORS allows (default: none), and no
// Referer sent anywhere. (Web Chat puts its styles inline, hence 'unsafe-inline' for styles only.)
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Request, Response, Server } from 'restify';
import { translator } from '../../i18n/translator';
import { LANGUAGES, TAG_ALIASES, isLanguageCode, language, type LanguageCode } from '../../i18n/languages';
import { projectRoot } from '../../runtime/paths';
import { compressed, webChatAssets, type Encoding, type StaticAsset } from './assets';

const PUBLIC = path.join(projectRoot, 'bot', 'channels', 'webchat', 'public');

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
    // blob: the file a person picks, or the voice note the page recorded, is read from a blob: URL to upload it
    "connect-src 'self' blob:",
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

/** The encoding to send: brotli, else gzip, else none (q=0 refuses one). */
export function chooseEncoding(acceptEncoding: unknown): Encoding | undefined {
  const accepted = new Map<string, number>();
  for (const part of String(acceptEncoding ?? '')
    .toLowerCase()
    .split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
    accepted.set(name.trim(), q ? Number(q[1]) : 1);
  }
  const ok = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  return ok('br') ? 'br' : ok('gzip') ? 'gzip' : undefined;
}

/**
 * A file of the page. At its versioned address: cached for a year, never asked again
 * ("immutable"); at its plain address (or an old version's address, after an update): checked
 * each time (ETag, 304).
 */
async function sendAsset(req: Request, res: Response, asset: StaticAsset, versioned: boolean) {
  const etag = `"${asset.hash}"`;
  res.setHeader('Content-Type', asset.type);
  res.setHeader('Cache-Control', versioned ? 'public, max-age=31536000, immutable' : 'no-cache');
  res.setHeader('ETag', etag);
  if (asset.compress) res.setHeader('Vary', 'Accept-Encoding');
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304);
    res.end();
    return;
  }
  const encoding = asset.compress ? chooseEncoding(req.headers['accept-encoding']) : undefined;
  const body = encoding ? await compressed(asset, encoding) : asset.body;
  if (encoding) res.setHeader('Content-Encoding', encoding);
  res.setHeader('Content-Length', body.length);
  res.writeHead(200);
  res.end(body);
}

/** What the page needs in each language (its data block): its words, and Web Chat's. */
function languagesData() {
  return LANGUAGES.map((l) => {
    const t = translator(l.code);
    const page = Object.fromEntries(PAGE_KEYS.map((key) => [key, t(`page.${key}`)]));
    return { code: l.code, rtl: l.rtl, name: l.nativeName, forget: t('forget.link'), page };
  });
}

const PAGE_KEYS = [
  'title',
  'language',
  'loading',
  'cannotConnect',
  'retry',
  'restarting',
  'busy',
  'connectionLost',
  'record',
  'send',
  'micRefused',
] as const;

export function registerWebChatPage(server: Server, options: PageOptions = {}): void {
  const headers = pageHeaders(options.frameAncestors);
  const assets = webChatAssets();
  const url = (name: string) => assets.get(name)!.url;
  const template = fs.readFileSync(path.join(PUBLIC, 'index.html'), 'utf8');
  // (JSON in a data block: "<" escaped, so no text in it can close the element.)
  const data = JSON.stringify({
    languages: languagesData(),
    tagAliases: TAG_ALIASES,
    strings: url('strings.json'),
  }).replace(/</g, '\\u003c');
  const pages = new Map<LanguageCode, { html: Buffer; br: Buffer; gzip: Buffer; etag: string }>();
  const pageIn = (code: LanguageCode) => {
    let page = pages.get(code);
    if (!page) {
      const t = translator(code);
      // The first paint is already in the person's language and direction; the page script takes over from there.
      const html = template
        .replace(/\{\{lang\}\}/g, code)
        .replace('{{dir}}', language(code).rtl ? 'rtl' : 'ltr')
        .replace(/\{\{title\}\}/g, () => escapeHtml(t('page.title')))
        .replace(/\{\{language\}\}/g, () => escapeHtml(t('page.language')))
        // Only the page's own language at first: the others' names (in their scripts) come with
        // app.js once Web Chat runs, so that on a slow connection a font for a script the page
        // does not show yet does not compete with Web Chat's bundle.
        .replace(
          '{{options}}',
          () => `<option value="${code}" lang="${code}" selected>${escapeHtml(language(code).nativeName)}</option>`,
        )
        .replace('{{loading}}', () => escapeHtml(t('page.loading')))
        .replace('{{forget}}', () => escapeHtml(t('forget.link')))
        .replace('{{css}}', url('app.css'))
        .replace('{{app}}', url('app.js'))
        .replace('{{webchat}}', url('webchat.js'))
        .replace('{{data}}', () => data);
      const body = Buffer.from(html);
      const etag = `"${crypto.createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
      page = { html: body, br: zlib.brotliCompressSync(body), gzip: zlib.gzipSync(body), etag };
      pages.set(code, page);
    }
    return page;
  };

  server.get('/', async (req: Request, res: Response) => {
    const requested = typeof req.query?.lang === 'string' ? req.query.lang : undefined;
    const page = pageIn(isLanguageCode(requested) ? requested : 'fr');
    setHeaders(res, headers);
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    // Asked again each time (its ETag makes that cheap): it names the current versions of the files.
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('ETag', page.etag);
    res.setHeader('Vary', 'Accept-Encoding');
    if (req.headers['if-none-match'] === page.etag) {
      res.writeHead(304);
      res.end();
      return;
    }
    const encoding = chooseEncoding(req.headers['accept-encoding']);
    const body = encoding ? page[encoding] : page.html;
    if (encoding) res.setHeader('Content-Encoding', encoding);
    res.setHeader('Content-Length', body.length);
    res.writeHead(200);
    res.end(body);
  });

  server.get('/webchat/v/:hash/:file', async (req: Request, res: Response) => {
    const asset = assets.get(String(req.params.file));
    setHeaders(res, headers);
    if (!asset) return notFound(res);
    // An address of another version (a page loaded before an update): today's file, not cached for long.
    await sendAsset(req, res, asset, req.params.hash === asset.hash);
  });

  server.get('/webchat/:file', async (req: Request, res: Response) => {
    const asset = assets.get(String(req.params.file));
    setHeaders(res, headers);
    if (!asset) return notFound(res);
    await sendAsset(req, res, asset, false);
  });
}

function notFound(res: Response) {
  res.send(404, { error: { code: 'NotFound', message: 'No such file.' } });
}
