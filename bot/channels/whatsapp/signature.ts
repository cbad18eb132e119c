// Meta signs every webhook: X-Hub-Signature-256 is "sha256=" and the hex HMAC-SHA256 of the raw
// body bytes with the app secret. The check runs on the bytes as received (Meta escapes non-ASCII
// text as \uXXXX and signs that), before any parsing, and compares in constant time.
import crypto from 'node:crypto';

export function signatureOf(body: Buffer | string, appSecret: string): string {
  return `sha256=${crypto.createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

export function verifySignature(body: Buffer, header: string | string[] | undefined, appSecret: string): boolean {
  if (typeof header !== 'string') return false;
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match) return false;
  const expected = crypto.createHmac('sha256', appSecret).update(body).digest();
  return crypto.timingSafeEqual(expected, Buffer.from(match[1], 'hex'));
}
