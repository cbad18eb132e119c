// Recorded prompts: what is left to record, and an interpreter's folder checked and converted.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { translator } from '../../bot/i18n/translator';
import { importRecordings, missingRecordings } from '../../bot/voice/promptImport';
import { Recordings, recordableKeys } from '../../bot/voice/recordings';
import { toneWav } from '../support/fakeSpeechServers';
import { decodeClip } from '../support/oggAudio';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prompts-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const espeakWav = (text: string) => execFileSync('espeak-ng', ['-v', 'en-gb', '--stdout', '--stdin'], { input: text });

test('recordable texts: fixed ones, one per number for "say or send {{number}}", not names nor word lists', () => {
  const keys = recordableKeys('fr');
  expect(keys.get('menu.question')).toBe(translator('fr')('menu.question'));
  expect(keys.get('voice.press@3')).toBe('Dites ou envoyez 3.');
  expect(keys.has('onboarding.thanks')).toBe(false); // "Merci, {{firstName}} !"
  expect(keys.has('keywords.menu')).toBe(false);
  expect([...keys.keys()].some((k) => k.startsWith('dashboard.'))).toBe(false);
});

test('an interpreter folder: good files converted to mono Ogg/Opus, the others refused with a reason', async () => {
  const inbox = path.join(dir, 'inbox');
  fs.mkdirSync(path.join(inbox, 'ps'), { recursive: true });
  fs.mkdirSync(path.join(inbox, 'xx'), { recursive: true });
  fs.writeFileSync(path.join(inbox, 'ps', 'menu.question.wav'), espeakWav('What do you want to do?'));
  const ogg = execFileSync('opusenc', ['--quiet', '-', '-'], { input: espeakWav('Say or send two') });
  fs.writeFileSync(path.join(inbox, 'ps', 'voice.press@2.ogg'), ogg);
  fs.writeFileSync(path.join(inbox, 'ps', 'no.such.key.wav'), espeakWav('nothing'));
  fs.writeFileSync(path.join(inbox, 'ps', 'menu.workshops.wav'), toneWav(100)); // too short
  fs.writeFileSync(path.join(inbox, 'ps', 'menu.shifts.wav'), Buffer.alloc(44 + 48000, 0)); // not a WAV
  fs.writeFileSync(path.join(inbox, 'xx', 'menu.question.wav'), espeakWav('x'));
  const locales = path.join(dir, 'locales');
  const result = await importRecordings(inbox, undefined, locales);
  expect(result.imported.map((i) => `${i.language}/${i.key}`)).toEqual(['ps/menu.question', 'ps/voice.press@2']);
  expect(result.refused.map((r) => [r.file, r.reason.split(' ')[0]])).toEqual([
    [path.join('ps', 'menu.shifts.wav'), 'cannot'],
    [path.join('ps', 'menu.workshops.wav'), 'lasts'],
    [path.join('ps', 'no.such.key.wav'), '"no.such.key"'],
    [path.join('xx', 'menu.question.wav'), 'unknown'],
  ]);
  const stored = path.join(locales, 'ps', 'audio', 'menu.question.ogg');
  expect(decodeClip(stored)).toMatchObject({ codec: 'opus' });
  expect(decodeClip(stored).seconds).toBeGreaterThan(0.5);
  expect(execFileSync('opusinfo', [stored]).toString()).toMatch(/Channels: 1/);

  // What is left to record, and the recordings found by the bot's index.
  const report = missingRecordings('ps', locales);
  expect(report.recorded).toBe(2);
  expect(report.missing.some((m) => m.key === 'menu.question')).toBe(false);
  expect(report.missing.some((m) => m.key === 'menu.workshops')).toBe(true);
  const index = new Recordings(locales);
  expect(index.find('ps', translator('ps')('menu.question'))).toBe(stored);
  expect(index.find('ps', translator('ps')('voice.press', { number: 2 }))).toBeDefined();
});

test('a silent recording is refused', async () => {
  const inbox = path.join(dir, 'in');
  fs.mkdirSync(inbox);
  const wav = toneWav(1000);
  wav.fill(0, 44);
  fs.writeFileSync(path.join(inbox, 'menu.question.wav'), wav);
  const result = await importRecordings(inbox, 'fa', path.join(dir, 'locales'));
  expect(result.imported).toEqual([]);
  expect(result.refused[0]!.reason).toMatch(/silent/);
});
