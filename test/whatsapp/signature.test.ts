// X-Hub-Signature-256: the HMAC-SHA256 of the raw body bytes with the app secret. Checked against
// the signatures our fixtures come with (testdata/SIGNATURES.txt, computed with openssl, not with
// our code), and refused when the header is
// missing, malformed, for another body or another secret, when one byte changed, and when the
// body was parsed and serialised again (the check must run on the bytes as received).
import { signatureOf, verifySignature } from '../../bot/channels/whatsapp/signature';
import { APP_SECRET, asMetaJson, fixture, fixtureSignatures } from '../support/whatsappWebhooks';

const signatures = fixtureSignatures();
const SIGNED = ['text-fr.json', 'button-reply.json', 'voice-note.json', 'status-delivered.json'];

test('SIGNATURES.txt lists every signed fixture', () => {
  expect([...signatures.keys()].sort()).toEqual([...SIGNED].sort());
  for (const sig of signatures.values()) expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
});

test.each(SIGNED)('the signature given for %s verifies its exact bytes', (name) => {
  const body = fixture(name);
  expect(verifySignature(body, signatures.get(name), APP_SECRET)).toBe(true);
  expect(signatureOf(body, APP_SECRET)).toBe(signatures.get(name));
});

test('signatureOf gives the same signature for a string and its UTF-8 bytes', () => {
  const text = '{"body":"دری ሰላም 👍"}';
  expect(signatureOf(text, APP_SECRET)).toBe(signatureOf(Buffer.from(text, 'utf8'), APP_SECRET));
  expect(signatureOf(text, APP_SECRET)).not.toBe(signatureOf(text, 'another-secret'));
});

test('another secret does not verify', () => {
  const body = fixture('text-fr.json');
  expect(verifySignature(body, signatures.get('text-fr.json'), `${APP_SECRET} `)).toBe(false);
  expect(verifySignature(body, signatures.get('text-fr.json'), 'another-secret')).toBe(false);
  expect(verifySignature(body, signatureOf(body, 'another-secret'), APP_SECRET)).toBe(false);
});

test("another fixture's signature does not verify", () => {
  for (const name of SIGNED) {
    for (const other of SIGNED.filter((n) => n !== name)) {
      expect(verifySignature(fixture(name), signatures.get(other), APP_SECRET)).toBe(false);
    }
  }
});

test('a missing, empty, repeated or malformed header does not verify', () => {
  const body = fixture('voice-note.json');
  const good = signatures.get('voice-note.json')!;
  const hex = good.slice('sha256='.length);
  expect(verifySignature(body, undefined, APP_SECRET)).toBe(false);
  expect(verifySignature(body, '', APP_SECRET)).toBe(false);
  expect(verifySignature(body, [good, good], APP_SECRET)).toBe(false); // two headers
  expect(verifySignature(body, hex, APP_SECRET)).toBe(false); // no "sha256="
  expect(verifySignature(body, `sha1=${hex}`, APP_SECRET)).toBe(false);
  expect(verifySignature(body, `sha256:${hex}`, APP_SECRET)).toBe(false);
  expect(verifySignature(body, `sha256=${hex.slice(0, 63)}`, APP_SECRET)).toBe(false); // one digit short
  expect(verifySignature(body, `sha256=${hex}0`, APP_SECRET)).toBe(false); // one digit more
  expect(verifySignature(body, `sha256=${hex.slice(0, 62)}zz`, APP_SECRET)).toBe(false); // not hex
  expect(verifySignature(body, `sha256=${'0'.repeat(64)}`, APP_SECRET)).toBe(false);
  expect(verifySignature(body, `sha256=${hex} sha256=${hex}`, APP_SECRET)).toBe(false);
});

test('hex digits are read in either case, and spaces around the header are tolerated', () => {
  const body = fixture('status-delivered.json');
  const good = signatures.get('status-delivered.json')!;
  expect(verifySignature(body, `sha256=${good.slice(7).toUpperCase()}`, APP_SECRET)).toBe(true);
  expect(verifySignature(body, ` ${good} `, APP_SECRET)).toBe(true);
});

test('one byte changed anywhere in the body does not verify', () => {
  for (const name of SIGNED) {
    const original = fixture(name);
    const sig = signatures.get(name);
    for (const at of [0, 1, Math.floor(original.length / 2), original.length - 2, original.length - 1]) {
      const changed = Buffer.from(original);
      changed[at] ^= 0x01;
      expect(verifySignature(changed, sig, APP_SECRET)).toBe(false);
    }
    // A byte more or less at the end (a trailing newline added or dropped).
    expect(verifySignature(Buffer.concat([original, Buffer.from('\n')]), sig, APP_SECRET)).toBe(false);
    expect(verifySignature(original.subarray(0, original.length - 1), sig, APP_SECRET)).toBe(false);
  }
});

test('the same JSON serialised again does not verify: the check runs on the bytes as received', () => {
  for (const name of SIGNED) {
    const raw = fixture(name);
    const sig = signatures.get(name);
    const parsed = JSON.parse(raw.toString('utf8'));
    const again = [
      JSON.stringify(parsed), // compact, non-ASCII as UTF-8
      JSON.stringify(parsed, null, 2), // pretty, non-ASCII as UTF-8
      asMetaJson(parsed), // compact, non-ASCII escaped like Meta
    ];
    for (const text of again) {
      expect(JSON.parse(text)).toEqual(parsed);
      expect(verifySignature(Buffer.from(text, 'utf8'), sig, APP_SECRET)).toBe(false);
    }
  }
});

test('escaped non-ASCII and its UTF-8 form are different bytes with different signatures', () => {
  // text-fr.json has "\u00e0" (à) as six ASCII characters; the same text in UTF-8 is two bytes.
  const raw = fixture('text-fr.json').toString('utf8');
  expect(raw).toContain('\\u00e0');
  const unescaped = raw.replace(/\\u([0-9a-f]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  expect(JSON.parse(unescaped)).toEqual(JSON.parse(raw));
  expect(verifySignature(Buffer.from(unescaped, 'utf8'), signatures.get('text-fr.json'), APP_SECRET)).toBe(false);
});
