// The sniffer of media/sniff.ts under hostile bytes: a parser that never returns (file-type 16
// did, on a 200-byte ASF header) costs one refused file, not the server.
import { Sniffer } from '../../bot/media/sniff';
import { verifiedType } from '../../bot/media/types';
import { samples } from '../support/mediaSamples';

test(
  'a file the parser is stuck on is refused after the time limit; other files, and the next ones, are still ' + 'read',
  async () => {
    // A worker that answers at once, except for bytes starting with "HANG", where it loops for ever.
    const source = `
    const { parentPort } = require('node:worker_threads');
    parentPort.on('message', ({ id, bytes }) => {
      if (Buffer.from(bytes).subarray(0, 4).toString() === 'HANG') for (;;);
      parentPort.postMessage({ id, mime: 'image/png' });
    });`;
    const sniffer = new Sniffer({ timeoutMs: 300, source });
    const started = Date.now();
    const [stuck, fine] = await Promise.all([
      sniffer.sniff({ bytes: Buffer.from('HANG') }),
      sniffer.sniff({ bytes: samples.png }),
    ]);
    expect(stuck).toBeUndefined();
    expect(fine).toBe('image/png'); // sent again to a fresh worker
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await sniffer.sniff({ bytes: samples.png })).toBe('image/png');
  },
);

test('the real library: an ASF header that hung file-type 16 is read at once (and is not a type we keep)', async () => {
  const asf = Buffer.alloc(200);
  Buffer.from([0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11, 0xa6, 0xd9]).copy(asf, 0);
  const sniffer = new Sniffer({ timeoutMs: 3000 });
  const found = await sniffer.sniff({ bytes: asf });
  expect(verifiedType('audio/mpeg', found)).toBeUndefined();
  expect(await sniffer.sniff({ bytes: samples.pdf })).toBe('application/pdf');
});
