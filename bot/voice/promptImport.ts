// Recorded prompts in and out, for `npm run voice:missing` and `npm run voice:import`:
//   - which recordable texts of a language have no recording yet;
//   - a folder of an interpreter's recordings (named <key>.<ext>, or <lng>/<key>.<ext>) checked and
//     converted into locales/<lng>/audio/<key>.ogg: the key must be a recordable text of that
//     language, the sound between 0.3 and 30 seconds and not silent; it is stored as mono Ogg/Opus
//     at a voice note's bitrate. WAV, FLAC, AIFF and Ogg/Opus are read with opus-tools; other
//     formats (MP3, M4A, AMR, WebM) need ffmpeg, used when it is installed.
import fs from 'node:fs';
import path from 'node:path';
import { LANGUAGE_CODES, type LanguageCode } from '../i18n/languages';
import { localesDir } from '../i18n/translator';
import { hasTool, runTool } from './audioTools';
import { audioDir, recordableKeys } from './recordings';

export interface MissingReport {
  language: LanguageCode;
  recorded: number;
  total: number;
  missing: { key: string; text: string }[];
}

export function missingRecordings(code: LanguageCode, root = localesDir): MissingReport {
  const keys = recordableKeys(code);
  const dir = audioDir(code, root);
  const have = new Set(fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => f.replace(/\.ogg$/, '')) : []);
  const missing = [...keys].filter(([key]) => !have.has(key)).map(([key, text]) => ({ key, text }));
  return { language: code, recorded: keys.size - missing.length, total: keys.size, missing };
}

export interface ImportResult {
  imported: { language: LanguageCode; key: string; seconds: number }[];
  refused: { file: string; reason: string }[];
}

const OPUS_TOOLS_READ = new Set(['.wav', '.flac', '.aif', '.aiff']);
const OGG = new Set(['.ogg', '.opus', '.oga']);
const MIN_SECONDS = 0.3;
const MAX_SECONDS = 30;
/** Below this mean level (of 32,768) a recording is taken for silence. */
const SILENT_RMS = 100;

/** The recording as 16-bit mono PCM at 48 kHz, whatever it came as. */
async function pcmOf(file: string): Promise<Buffer> {
  const ext = path.extname(file).toLowerCase();
  let input: Buffer = await fs.promises.readFile(file);
  if (!OPUS_TOOLS_READ.has(ext) && !OGG.has(ext)) {
    if (!hasTool('ffmpeg')) throw new Error(`${ext} needs ffmpeg (apt-get install ffmpeg), or send WAV`);
    input = await runTool('ffmpeg', ['-v', 'error', '-i', 'pipe:0', '-f', 'wav', '-ac', '1', 'pipe:1'], input);
  }
  // Through opusenc and opusdec: every format comes out the same (mono, 48 kHz, 16-bit).
  const ogg = OGG.has(ext) ? input : await runTool('opusenc', ['--quiet', '--downmix-mono', '-', '-'], input);
  const pcm = await runTool('opusdec', ['--quiet', '--rate', '48000', '--force-stereo', '-', '-'], ogg);
  // (Decoded as stereo so that a stereo file and a mono one read the same way: keep the left channel.)
  const mono = Buffer.alloc(pcm.length / 2);
  for (let i = 0; i + 3 < pcm.length; i += 4) mono.writeInt16LE(pcm.readInt16LE(i), i / 2);
  return mono;
}

function rms(pcm: Buffer): number {
  let sum = 0;
  const n = pcm.length / 2;
  for (let i = 0; i < n; i++) sum += pcm.readInt16LE(i * 2) ** 2;
  return Math.sqrt(sum / Math.max(1, n));
}

export async function importRecordings(folder: string, only?: LanguageCode, root = localesDir): Promise<ImportResult> {
  const result: ImportResult = { imported: [], refused: [] };
  const files: { file: string; language?: string }[] = [];
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory())
      files.push(...fs.readdirSync(full).map((f) => ({ file: path.join(full, f), language: entry.name })));
    else files.push({ file: full, language: only });
  }
  const keysOf = new Map<LanguageCode, Map<string, string>>();
  for (const { file, language } of files.sort((a, b) => a.file.localeCompare(b.file))) {
    const refuse = (reason: string) => result.refused.push({ file: path.relative(folder, file), reason });
    const code = LANGUAGE_CODES.find((c) => c === language);
    if (!code) {
      refuse(language ? `unknown language folder "${language}"` : 'put it in a <language>/ folder, or pass --lang');
      continue;
    }
    if (only && code !== only) continue;
    const key = path.basename(file, path.extname(file));
    if (!keysOf.has(code)) keysOf.set(code, recordableKeys(code));
    if (!keysOf.get(code)!.has(key)) {
      refuse(`"${key}" is not a recordable text of ${code} (see npm run voice:missing -- --lang ${code})`);
      continue;
    }
    try {
      const pcm = await pcmOf(file);
      const seconds = pcm.length / 2 / 48000;
      if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
        refuse(`lasts ${seconds.toFixed(1)} s: a prompt lasts between ${MIN_SECONDS} and ${MAX_SECONDS} s`);
        continue;
      }
      if (rms(pcm) < SILENT_RMS) {
        refuse('is silent (or almost): record it again, closer to the microphone');
        continue;
      }
      const args = [
        '--quiet',
        '--speech',
        '--bitrate',
        '32',
        '--raw',
        '--raw-chan',
        '1',
        '--raw-rate',
        '48000',
        '-',
        '-',
      ];
      const ogg = await runTool('opusenc', args, pcm);
      const out = audioDir(code, root);
      fs.mkdirSync(out, { recursive: true });
      fs.writeFileSync(path.join(out, `${key}.ogg`), ogg);
      result.imported.push({ language: code, key, seconds: Math.round(seconds * 10) / 10 });
    } catch (err) {
      refuse(`cannot be read: ${(err as Error).message}`);
    }
  }
  return result;
}
