// Checks a clip as a player would: an Ogg stream of Opus (opusinfo, from opus-tools), decoded to
// PCM (opusdec) to measure how long it plays.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface DecodedClip {
  codec: string;
  seconds: number;
}

export function decodeClip(file: string | Buffer): DecodedClip {
  const bytes = typeof file === 'string' ? fs.readFileSync(file) : file;
  const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'clip-')), 'clip.ogg');
  fs.writeFileSync(tmp, bytes);
  const info = execFileSync('opusinfo', [tmp]).toString();
  fs.rmSync(path.dirname(tmp), { recursive: true });
  const codec = /type opus/.test(info) ? 'opus' : 'unknown';
  const pcm = execFileSync('opusdec', ['--quiet', '--rate', '48000', '-', '-'], { input: bytes, maxBuffer: 1 << 28 });
  // opusdec writes 16-bit samples; a mono clip has one a frame.
  const channels = Number(/Channels: (\d+)/.exec(info)?.[1] ?? 1);
  return { codec, seconds: pcm.length / 2 / channels / 48000 };
}
