// Small files of each kind the bot keeps, made byte by byte with the headers real recorders and
// cameras write (what file-type reads), and files that lie about what they are.

const ascii = (s: string) => Buffer.from(s, 'latin1');
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

/** An ISO media file's first box: ftyp with a major brand (M4A, HEIC...). */
function ftyp(brand: string, compatible: string[]): Buffer {
  const body = Buffer.concat([
    ascii('ftyp'),
    ascii(brand.padEnd(4)),
    u32(0),
    ...compatible.map((c) => ascii(c.padEnd(4))),
  ]);
  return Buffer.concat([u32(body.length + 4), body, Buffer.alloc(64)]);
}

/**
 * An Ogg page starting an Opus stream (RFC 7845): "OggS", then the OpusHead packet; then `rest`
 * (64 zero bytes unless told). `serial` tells two streams apart.
 */
export function oggOpus(rest: Buffer = Buffer.alloc(64), serial = 0x1234): Buffer {
  const head = Buffer.concat([ascii('OpusHead'), Buffer.from([1, 1, 0x38, 0x01, 0x80, 0xbb, 0, 0, 0, 0, 0])]);
  const page = Buffer.concat([
    ascii('OggS'),
    Buffer.from([0, 2]),
    Buffer.alloc(8),
    u32(serial),
    u32(0),
    u32(0),
    Buffer.from([1, head.length]),
  ]);
  return Buffer.concat([page, head, rest]);
}

/** A WebM file's EBML header (DocType "webm"), as browsers record voice. */
function webm(): Buffer {
  const docType = Buffer.concat([Buffer.from([0x42, 0x82, 0x84]), ascii('webm')]);
  const version = Buffer.from([0x42, 0x87, 0x81, 0x04, 0x42, 0x85, 0x81, 0x02]);
  const body = Buffer.concat([docType, version]);
  return Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x80 | body.length]), body, Buffer.alloc(64)]);
}

export const samples = {
  png: Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  ),
  jpeg: Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
    ascii('JFIF\0'),
    Buffer.from([1, 1, 0, 0, 1, 0, 1, 0, 0]),
    Buffer.alloc(64),
    Buffer.from([0xff, 0xd9]),
  ]),
  webp: Buffer.concat([ascii('RIFF'), Buffer.from([0x24, 0, 0, 0]), ascii('WEBPVP8 '), Buffer.alloc(64)]),
  heic: ftyp('heic', ['mif1', 'heic']),
  oggOpus: oggOpus(),
  mp3: Buffer.concat([
    ascii('ID3'),
    Buffer.from([3, 0, 0, 0, 0, 0, 0]),
    Buffer.from([0xff, 0xfb, 0x90, 0x64]),
    Buffer.alloc(417),
  ]),
  m4a: ftyp('M4A', ['M4A', 'mp42', 'isom']),
  amr: Buffer.concat([ascii('#!AMR\n'), Buffer.alloc(32, 0x3c)]),
  webm: webm(),
  pdf: ascii('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
  /** an SVG picture that runs a script when opened as a page */
  svgWithScript: ascii(
    '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.cookie)</script></svg>',
  ),
  /** "photo.png" that is an HTML page */
  htmlAsPng: ascii('<!doctype html><html><body><script>fetch("/api/cip/beneficiaries")</script></body></html>'),
};
