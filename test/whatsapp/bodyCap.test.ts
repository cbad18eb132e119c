// The capped body reader (bot/http/body.ts) shared by the WhatsApp webhook (1 MB) and the API
// (256 KB): the exact bytes within the cap; beyond it a 413, whether the Content-Length said so or
// the body was streamed without one (chunked); a client that goes away mid-body is told apart.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyAborted, BodyTooLarge, readBody } from '../../bot/http/body';
import { signatureOf } from '../../bot/channels/whatsapp/signature';
import { APP_SECRET } from '../support/whatsappWebhooks';
import { startWhatsAppApp, type WhatsAppTestApp } from '../support/whatsappApp';

/** Posts `parts` one after the other, chunked (no Content-Length) unless `length` is given. */
function post(
  url: string,
  parts: Buffer[],
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    const next = (i: number) => {
      if (i === parts.length) return void req.end();
      // (a refused body may be cut short by the server once it has answered)
      if (req.destroyed) return;
      req.write(parts[i], () => next(i + 1));
    };
    next(0);
  });
}

const pieces = (total: number, size = 64 * 1024) =>
  Array.from({ length: Math.ceil(total / size) }, (_, i) => Buffer.alloc(Math.min(size, total - i * size), 'a'));

describe('readBody', () => {
  let server: http.Server;
  let url: string;
  const outcomes: (Buffer | Error)[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      readBody(req, 1000).then(
        (bytes) => {
          outcomes.push(bytes);
          res.end(`read ${bytes.length}`);
        },
        (err: Error) => {
          outcomes.push(err);
          if (err instanceof BodyTooLarge) {
            res.statusCode = 413;
            res.end(`over ${err.maxBytes}`);
          }
        },
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => (outcomes.length = 0));

  test('a body within the cap is read whole, to its exact bytes, with or without a Content-Length', async () => {
    const bytes = Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('{"é": "\\u00e9"}'), 0x00, 0xff]);
    expect(await post(url, [bytes], { 'Content-Length': String(bytes.length) })).toEqual({
      status: 200,
      body: `read ${bytes.length}`,
    });
    expect(await post(url, [bytes.subarray(0, 5), bytes.subarray(5)])).toEqual({
      status: 200,
      body: `read ${bytes.length}`,
    });
    expect(await post(url, [Buffer.alloc(1000, 'x')])).toEqual({ status: 200, body: 'read 1000' });
    expect(outcomes[0]).toEqual(bytes);
    expect(outcomes[1]).toEqual(bytes);
  });

  test(
    'over the cap: BodyTooLarge, from the Content-Length or ' +
      'while streaming, and the answer still reaches the client',
    async () => {
      expect(await post(url, [Buffer.alloc(1001, 'x')], { 'Content-Length': '1001' })).toEqual({
        status: 413,
        body: 'over 1000',
      });
      expect(await post(url, [Buffer.alloc(600, 'x'), Buffer.alloc(600, 'x')])).toEqual({
        status: 413,
        body: 'over 1000',
      });
      expect(outcomes.map((o) => o.constructor)).toEqual([BodyTooLarge, BodyTooLarge]);
    },
  );

  test('a client that goes away mid-body: BodyAborted, and nothing is answered', async () => {
    const req = http.request(url, { method: 'POST', headers: { 'Content-Length': '900' } });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(100, 'x'));
    await new Promise((r) => setTimeout(r, 100));
    req.destroy();
    for (let i = 0; i < 100 && !outcomes.length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toBeInstanceOf(BodyAborted);
  });
});

describe('its callers on the real server', () => {
  let h: WhatsAppTestApp;
  beforeAll(async () => {
    h = await startWhatsAppApp();
  });
  afterAll(() => h?.close());

  test('the webhook: a body streamed past 1 MB without a Content-Length gets 413 and nothing is stored', async () => {
    const parts = pieces(1024 * 1024 + 10);
    const signature = signatureOf(Buffer.concat(parts), APP_SECRET);
    const res = await post(`${h.app.url}/api/whatsapp`, parts, {
      'Content-Type': 'application/json',
      'X-Hub-Signature-256': signature,
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({
      error: { code: 'PayloadTooLarge', message: `A webhook is at most ${1024 * 1024} bytes.` },
    });
    expect(await h.app.db.prisma.message.count()).toBe(0);
  });

  test(
    'the API: a body over 256 KB gets 413 PayloadTooLarge, declared ' +
      'or streamed; a body that is not JSON 400, one of another type 415',
    async () => {
      const json = { 'Content-Type': 'application/json', 'Accept-Language': 'en' };
      const big = pieces(256 * 1024 + 1);
      const declared = await post(`${h.app.url}/api/cip/session`, big, {
        ...json,
        'Content-Length': String(256 * 1024 + 1),
      });
      const streamed = await post(`${h.app.url}/api/cip/session`, big, json);
      for (const res of [declared, streamed]) {
        expect(res.status).toBe(413);
        expect(JSON.parse(res.body).error.code).toBe('PayloadTooLarge');
      }
      const notJson = await post(`${h.app.url}/api/cip/session`, [Buffer.from('{"email": ')], json);
      expect(notJson.status).toBe(400);
      expect(JSON.parse(notJson.body).error.code).toBe('InvalidJson');
      const text = await post(`${h.app.url}/api/cip/session`, [Buffer.from('email=x')], {
        'Content-Type': 'text/plain',
      });
      expect(text.status).toBe(415);
      expect(JSON.parse(text.body).error.code).toBe('UnsupportedMediaType');
    },
  );
});
