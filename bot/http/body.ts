// A request's raw body, capped: shared by the API (api/http.ts) and the WhatsApp webhook, which
// each answer a body that is too large in their own words.
import type { IncomingMessage } from 'node:http';

/** The body is over the cap (declared so, or found so while reading). */
export class BodyTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`The body is over ${maxBytes} bytes.`);
    this.name = 'BodyTooLarge';
  }
}

/** The client went away before the body's end. */
export class BodyAborted extends Error {
  constructor() {
    super('The client went away before the end of the body.');
    this.name = 'BodyAborted';
  }
}

/**
 * The raw body, at most `maxBytes` bytes; else BodyTooLarge, at once when the Content-Length says
 * so. Beyond the cap the rest is read and dropped (not kept), so that the answer can still be sent.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.reject(new BodyTooLarge(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (outcome: Buffer | Error) => {
      if (done) return;
      done = true;
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        finish(new BodyTooLarge(maxBytes));
        chunks.length = 0;
        req.resume();
        return;
      }
      if (!done) chunks.push(chunk);
    });
    req.on('end', () => finish(Buffer.concat(chunks)));
    req.on('error', () => finish(new BodyAborted()));
    req.on('aborted', () => finish(new BodyAborted()));
  });
}
