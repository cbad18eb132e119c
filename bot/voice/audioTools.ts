// The command-line tools the built-in voice uses, from Debian's packages: espeak-ng (speech
// synthesis) and opus-tools (opusenc, opusdec: Ogg/Opus, the format WhatsApp shows as a voice
// note). Each runs as a child process, off the event loop: a turn never waits on their CPU.
// Text goes in on stdin, never as an argument (arguments show in `ps`, and a reply can hold a name).
// They run at a low priority (nice 15): on a loaded machine the text turns of other people come
// first, and a clip waits instead.
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';

const found = new Map<string, boolean>();

/** Whether a tool is installed (looked up once). */
export function hasTool(name: string): boolean {
  let ok = found.get(name);
  if (ok === undefined) {
    ok = spawnSync(name, ['--version'], { stdio: 'ignore', timeout: 5000 }).status === 0;
    found.set(name, ok);
  }
  return ok;
}

/** Runs a tool with `input` on stdin; resolves with its stdout, rejects on a failure or after `timeoutMs`. */
export function runTool(name: string, args: string[], input: Buffer | string, timeoutMs = 20000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(name, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
    try {
      if (child.pid) os.setPriority(child.pid, 15);
    } catch {
      // (not allowed here: it runs at the server's priority)
    }
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-500)));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`${name} failed (${signal ?? `exit ${code}`}): ${err.trim().split('\n').at(-1) ?? ''}`));
    });
    // A tool that exits early closes its stdin: the error is reported by 'close'.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** 16-bit mono PCM at a sample rate. */
export interface Pcm {
  samples: Buffer;
  rate: number;
}

/**
 * The PCM of a WAV file (16-bit, mono). Written here rather than with a WAV library: espeak-ng
 * and TTS servers stream their WAV, so the header's sizes are placeholders that libraries refuse;
 * the samples are simply everything after the "data" chunk's header.
 */
export function wavPcm(wav: Buffer): Pcm {
  if (wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a WAV');
  let at = 12;
  let rate = 0;
  while (at + 8 <= wav.length) {
    const id = wav.toString('ascii', at, at + 4);
    const size = wav.readUInt32LE(at + 4);
    if (id === 'fmt ') {
      const format = wav.readUInt16LE(at + 8);
      const channels = wav.readUInt16LE(at + 10);
      const bits = wav.readUInt16LE(at + 22);
      if (format !== 1 || channels !== 1 || bits !== 16) throw new Error('WAV is not 16-bit mono PCM');
      rate = wav.readUInt32LE(at + 12);
    } else if (id === 'data') {
      if (!rate) throw new Error('WAV without format');
      const end = Math.min(wav.length, at + 8 + size);
      return { samples: wav.subarray(at + 8, end - ((end - at - 8) % 2)), rate };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error('WAV without data');
}

/** Silence of `ms` milliseconds at `rate`. */
export function silence(ms: number, rate: number): Buffer {
  return Buffer.alloc(Math.round((rate * ms) / 1000) * 2);
}

/**
 * Encodes PCM as Ogg/Opus, tuned for speech at a voice note's bitrate. Low complexity and 60 ms
 * frames: half the CPU of the defaults (measured: about 50 ms for a 9-second menu), and speech
 * stays clear at 32 kbit/s.
 */
export function encodeOpus(pcm: Pcm): Promise<Buffer> {
  const args = [
    '--quiet',
    '--speech',
    '--bitrate',
    '32',
    '--comp',
    '1',
    '--framesize',
    '60',
    '--raw',
    '--raw-chan',
    '1',
  ];
  return runTool('opusenc', [...args, '--raw-rate', String(pcm.rate), '-', '-'], pcm.samples);
}

/** Decodes Ogg/Opus into PCM at `rate`. */
export async function decodeOpus(ogg: Buffer, rate: number): Promise<Pcm> {
  const samples = await runTool('opusdec', ['--quiet', '--rate', String(rate), '-', '-'], ogg);
  // (Mono in, mono out: recordings are made mono by `npm run voice:import`.)
  return { samples, rate };
}

/** Whether a buffer is an Ogg stream carrying Opus (what WhatsApp plays as a voice note). */
export function isOggOpus(file: Buffer): boolean {
  return file.toString('ascii', 0, 4) === 'OggS' && file.subarray(0, 200).includes('OpusHead');
}
