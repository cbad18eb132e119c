// The kinds of file we keep, and how a claimed type must agree with the file's first bytes. A
// browser or a phone says what a file is; the bytes say what it really is (sniffed by file-type,
// see sniff.ts). Only these reach MEDIA_DIR: anything else (an SVG with a script, an HTML page named
// photo.png) could run in staff's browsers when served from our origin.

/** The types we keep, each with the sniffed types its bytes may have. */
const ACCEPTED: Record<string, readonly string[]> = {
  'image/jpeg': ['image/jpeg'],
  'image/png': ['image/png', 'image/apng'],
  'image/webp': ['image/webp'],
  // iPhones' photos; file-type names them by the brand in their `ftyp` box
  'image/heic': ['image/heic', 'image/heif', 'image/heic-sequence', 'image/heif-sequence'],
  'image/heif': ['image/heic', 'image/heif', 'image/heic-sequence', 'image/heif-sequence'],
  // WhatsApp voice notes (Opus), Vorbis, Speex
  'audio/ogg': ['audio/ogg'],
  'audio/mpeg': ['audio/mpeg'],
  // M4A: recorders write the M4A brand, or a generic MP4 one (file-type: video/mp4)
  'audio/mp4': ['audio/x-m4a', 'audio/mp4', 'video/mp4'],
  // bare AAC (ADTS frames), or AAC in an M4A file
  'audio/aac': ['audio/aac', 'audio/x-m4a', 'audio/mp4'],
  'audio/amr': ['audio/amr'],
  // what browsers record; file-type calls every WebM file video/webm
  'audio/webm': ['video/webm'],
  'application/pdf': ['application/pdf'],
};

/** Other names clients give the same types. */
const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/heic-sequence': 'image/heic',
  'image/heif-sequence': 'image/heif',
  'audio/opus': 'audio/ogg',
  'audio/x-opus+ogg': 'audio/ogg',
  'audio/mp3': 'audio/mpeg',
  'audio/mpeg3': 'audio/mpeg',
  'audio/x-mpeg': 'audio/mpeg',
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'audio/x-aac': 'audio/aac',
  'audio/aacp': 'audio/aac',
  'audio/amr-wb': 'audio/amr',
};

/** Sniffed types that name one of ours by themselves (for a file that came without a useful type). */
const FROM_SNIFFED: Record<string, string> = {
  'image/jpeg': 'image/jpeg',
  'image/png': 'image/png',
  'image/apng': 'image/png',
  'image/webp': 'image/webp',
  'image/heic': 'image/heic',
  'image/heic-sequence': 'image/heic',
  'image/heif': 'image/heif',
  'image/heif-sequence': 'image/heif',
  'audio/ogg': 'audio/ogg',
  'audio/mpeg': 'audio/mpeg',
  'audio/x-m4a': 'audio/mp4',
  'audio/mp4': 'audio/mp4',
  'audio/aac': 'audio/aac',
  'audio/amr': 'audio/amr',
  'application/pdf': 'application/pdf',
};

/** "Audio/OGG; codecs=opus" -> "audio/ogg" */
export function bareType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** Our name for a claimed type, when it is one we keep. */
export function acceptedType(contentType: string | undefined): string | undefined {
  const bare = bareType(contentType);
  const name = ALIASES[bare] ?? bare;
  return Object.hasOwn(ACCEPTED, name) ? name : undefined;
}

/** Whether a claimed type is one we keep (its bytes are checked later: see verifiedType). */
export function acceptedMediaType(contentType: string): boolean {
  return acceptedType(contentType) !== undefined;
}

/** A claim that says nothing: the bytes alone decide. */
function saysNothing(bare: string): boolean {
  return bare === '' || bare === 'application/octet-stream' || bare === 'binary/octet-stream';
}

/**
 * The type to keep a file as, from what it claims to be and what its bytes are (undefined: refuse
 * it). A file without a useful claim is kept when its bytes are one of ours.
 */
export function verifiedType(claimed: string | undefined, sniffed: string | undefined): string | undefined {
  const found = bareType(sniffed);
  if (!found) return undefined;
  if (saysNothing(bareType(claimed))) return FROM_SNIFFED[found];
  const name = acceptedType(claimed);
  return name && ACCEPTED[name].includes(found) ? name : undefined;
}

/** Pictures and sounds are shown in the page; anything else is only ever downloaded. */
export function showsInline(contentType: string): boolean {
  const name = acceptedType(contentType);
  return !!name && (name.startsWith('image/') || name.startsWith('audio/'));
}
