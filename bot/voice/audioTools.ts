// The command-line tools the built-in voice uses, from Debian's packages: espeak-ng (speech
// synthesis) and opus-tools (opusenc, opusdec: Ogg/Opus, the format WhatsApp shows as a voice
// note). Each runs as a child process: a turn never waits on their CPU.
// Text goes in on stdin, never as an argument (arguments show in `ps`, and a reply can hold a name).
// They run at a low priority (nice 15): on a loaded machine the text turns of other people come
// first, and a clip waits instead.
// They are started by a small helper process, not by the server itself: starting a process copies
// the page tables of the one that starts it, during which its event loop stands still (measured
// here: 1 ms from a process of 45 MB, 12 ms from one of 300 MB, the server's size under load; two
// tools a clip). The helper is started once, on the first clip, and ends with the server.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

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

// The helper (plain JavaScript, run by `node -e`): one request a message, its answer by id.
const HELPER = `
const { spawn } = require('node:child_process');
const os = require('node:os');
process.on('disconnect', () => process.exit(0));
process.on('message', (m) => {
  let answered = false;
  const answer = (a) => {
    if (answered) return;
    answered = true;
    process.send({ id: m.id, ...a });
  };
  let child;
  try {
    child = spawn(m.name, m.args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: m.timeoutMs });
  } catch (e) {
    return answer({ error: String(e && e.message) });
  }
  try {
    if (child.pid) os.setPriority(child.pid, 15);
  } catch {
    // (not allowed here: it runs at the server's priority)
  }
  const out = [];
  let err = '';
  child.stdout.on('data', (b) => out.push(b));
  child.stderr.on('data', (b) => (err = (err + b.toString()).slice(-500)));
  child.on('error', (e) => answer({ error: String(e && e.message) }));
  child.on('close', (code, signal) => {
    if (code === 0) return answer({ out: Buffer.concat(out) });
    const last = err.trim().split('\\n').at(-1) || '';
    answer({ error: m.name + ' failed (' + (signal || 'exit ' + code) + '): ' + last });
  });
  // A tool that exits early closes its stdin: the error is reported by 'close'.
  child.stdin.on('error', () => undefined);
  child.stdin.end(typeof m.input === 'string' ? m.input : Buffer.from(m.input));
});
`;

interface Waiting {
  resolve(out: Buffer): void;
  reject(err: Error): void;
}

let helper: ChildProcess | undefined;
const waiting = new Map<number, Waiting>();
let nextId = 0;

/** The helper's channel keeps the server alive only while a tool runs. */
function holdOpen(open: boolean) {
  const channel = helper?.channel as { ref?: () => void; unref?: () => void } | undefined;
  if (open) channel?.ref?.();
  else channel?.unref?.();
}

function startHelper(): ChildProcess {
  const child = spawn(process.execPath, ['-e', HELPER], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    serialization: 'advanced', // (Buffers travel as bytes)
  });
  const gone = (why: string) => {
    if (helper === child) helper = undefined;
    for (const w of waiting.values()) w.reject(new Error(`the voice's tool helper ${why}`));
    waiting.clear();
  };
  child.on('message', (a: { id: number; out?: Uint8Array; error?: string }) => {
    const w = waiting.get(a.id);
    if (!w) return;
    waiting.delete(a.id);
    if (a.error !== undefined || !a.out) w.reject(new Error(a.error ?? 'no output'));
    else w.resolve(Buffer.from(a.out.buffer, a.out.byteOffset, a.out.byteLength));
    if (!waiting.size) holdOpen(false);
  });
  child.on('error', (err) => gone(`failed: ${err.message}`));
  child.on('exit', (code, signal) => gone(`ended (${signal ?? `exit ${code}`})`));
  child.unref();
  return child;
}

/** The helper's process id, once started (tests). */
export function toolHelperPid(): number | undefined {
  return helper?.pid;
}

/** Runs a tool with `input` on stdin; resolves with its stdout, rejects on a failure or after `timeoutMs`. */
export function runTool(name: string, args: string[], input: Buffer | string, timeoutMs = 20000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    helper ??= startHelper();
    const id = ++nextId;
    waiting.set(id, { resolve, reject });
    holdOpen(true);
    helper.send({ id, name, args, input, timeoutMs }, (err) => {
      if (!err || !waiting.delete(id)) return;
      reject(err);
      if (!waiting.size) holdOpen(false);
    });
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
