// Spoken replies: the clip of a reply with the real engines (eSpeak NG, opus-tools), a prompt
// heard twice made once, a recorded prompt before synthesis, recordings and synthesis in one clip,
// a language without a voice, the OpenAI-compatible TTS server, and the cache's bound.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ask, say } from '../../cards/messages';
import { translator } from '../../bot/i18n/translator';
import { LANGUAGES, type LanguageCode } from '../../bot/i18n/languages';
import { silentLogger } from '../../bot/runtime/logger';
import { isOggOpus } from '../../bot/voice/audioTools';
import { ClipCache } from '../../bot/voice/clipCache';
import { Recordings } from '../../bot/voice/recordings';
import {
  EspeakSynthesizer,
  OpenAiSpeechSynthesizer,
  PreferredSynthesizer,
  type Synthesizer,
} from '../../bot/voice/synthesizers';
import { Voice } from '../../bot/voice/voice';
import { FakeSpeechServer } from '../support/fakeSpeechServers';
import { decodeClip } from '../support/oggAudio';

const fr = translator('fr');

/** A synthesizer that counts what it is asked to say. */
class Counting implements Synthesizer {
  readonly calls: string[][] = [];
  constructor(private readonly inner: Synthesizer) {}
  voiceId(code: LanguageCode) {
    return this.inner.voiceId(code);
  }
  synthesize(code: LanguageCode, sentences: string[]) {
    this.calls.push(sentences);
    return this.inner.synthesize(code, sentences);
  }
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voice-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function voiceWith(synth?: Synthesizer, recordingsRoot = path.join(dir, 'locales'), log = silentLogger) {
  return new Voice(
    new Recordings(recordingsRoot),
    new ClipCache(path.join(dir, 'cache'), 50 * 1024 * 1024),
    log,
    synth,
  );
}

/** Records a key's text with eSpeak NG, as an interpreter's Ogg/Opus file would be. */
function record(code: LanguageCode, key: string, text: string) {
  const folder = path.join(dir, 'locales', code, 'audio');
  fs.mkdirSync(folder, { recursive: true });
  const wav = execFileSync('espeak-ng', ['-v', 'en-gb', '--stdout', '--stdin'], { input: text });
  const ogg = execFileSync('opusenc', ['--quiet', '-', '-'], { input: wav });
  fs.writeFileSync(path.join(folder, `${key}.ogg`), ogg);
  return ogg;
}

test('a three-line French menu becomes one valid Ogg/Opus clip; the same prompt twice is made once', async () => {
  const synth = new Counting(new EspeakSynthesizer());
  const voice = voiceWith(synth);
  const menu = ask('fr', fr('menu.question'), [{ label: fr('menu.workshops') }, { label: fr('menu.shifts') }]);
  const first = await voice.clip('fr', [menu]);
  expect(first).toBeDefined();
  expect(first!.source).toBe('synthesis');
  const audio = await first!.audio();
  expect(isOggOpus(audio)).toBe(true);
  const decoded = decodeClip(audio);
  expect(decoded.codec).toBe('opus');
  expect(decoded.seconds).toBeGreaterThan(1.5);
  const again = await voice.clip('fr', [menu]);
  expect(again!.id).toBe(first!.id);
  expect((await again!.audio()).equals(audio)).toBe(true);
  expect(synth.calls).toHaveLength(1);
  expect(synth.calls[0]).toEqual(expect.arrayContaining(['Ateliers.', 'Dites ou envoyez 1.']));
});

test('the language list is fixed text too (the languages own names): cached, shared', async () => {
  const voice = voiceWith(new EspeakSynthesizer());
  const list = ask(
    'fr',
    fr('language.question'),
    LANGUAGES.map((l) => ({ label: l.nativeName })),
  );
  expect((await voice.clip('fr', [list]))!.transient).toBe(false);
});

test('the same prompt asked by two turns at once is made once', async () => {
  const synth = new Counting(new EspeakSynthesizer());
  const voice = voiceWith(synth);
  const reply = say('en', translator('en')('menu.question'));
  const [a, b] = await Promise.all([voice.clip('en', [reply]), voice.clip('en', [reply])]);
  expect(a!.id).toBe(b!.id);
  expect(synth.calls).toHaveLength(1);
});

test('a recorded prompt wins over synthesis; recordings and synthesis share one clip', async () => {
  const synth = new Counting(new EspeakSynthesizer());
  const recorded = record('fr', 'menu.question', 'What do you want to do?');
  const voice = voiceWith(synth);
  const alone = say('fr', fr('menu.question'));
  const clip = await voice.clip('fr', [alone]);
  expect(clip!.source).toBe('recording');
  expect((await clip!.audio()).equals(recorded)).toBe(true);
  expect(synth.calls).toHaveLength(0);

  const menu = ask('fr', fr('menu.question'), [{ label: fr('menu.workshops') }]);
  const mixed = await voice.clip('fr', [menu]);
  expect(mixed!.source).toBe('mixed');
  // Only what has no recording is synthesised.
  expect(synth.calls).toEqual([['Ateliers.', 'Dites ou envoyez 1.']]);
  const both = decodeClip(await mixed!.audio()).seconds;
  expect(both).toBeGreaterThan(decodeClip(recorded).seconds + 0.5);
});

test("a turn's replies make one clip; one that says more than fixed texts (a name) is never cached", async () => {
  const synth = new Counting(new EspeakSynthesizer());
  const voice = voiceWith(synth);
  const replies = [say('fr', 'Merci, Nour !'), say('fr', fr('menu.question'))];
  const first = await voice.clip('fr', replies);
  expect(first).toMatchObject({ transient: true, source: 'synthesis' });
  expect(synth.calls).toEqual([['Merci, Nour !', 'Que voulez-vous faire ?']]);
  expect(fs.readdirSync(path.join(dir, 'cache'))).toEqual([]);
  // Kept in memory a little while, for the page to fetch; made again for the next turn.
  expect((await voice.audioOf(first!.id))!.equals(await first!.audio())).toBe(true);
  await voice.clip('fr', replies);
  expect(synth.calls).toHaveLength(2);
  // Fixed texts alone are cached, and readable by id.
  const fixed = await voice.clip('fr', [say('fr', fr('menu.question'))]);
  expect(fixed!.transient).toBe(false);
  expect(fs.readdirSync(path.join(dir, 'cache'))).toEqual([`${fixed!.id}.ogg`]);
  expect((await voice.audioOf(fixed!.id))!.length).toBe(fixed!.bytes);
  expect(await voice.audioOf('../../etc/passwd')).toBeUndefined();
});

test('Pashto without recordings gets no clip (text only), with one log line', async () => {
  const lines: unknown[] = [];
  const log = { ...silentLogger, info: (o: unknown, m: string) => lines.push([o, m]) } as never;
  const voice = voiceWith(new EspeakSynthesizer(), undefined, log);
  expect(voice.speaks('ps')).toBe(false);
  const reply = say('ps', translator('ps')('menu.question'));
  expect(await voice.clip('ps', [reply])).toBeUndefined();
  expect(await voice.clip('ps', [reply])).toBeUndefined();
  expect(lines).toEqual([[{ language: 'ps', unrecorded: 1 }, 'no voice for this language: text only']]);
});

test('Pashto with its recordings is heard', async () => {
  const ps = translator('ps');
  record('ps', 'menu.question', 'recorded in Pashto');
  const voice = voiceWith(new EspeakSynthesizer());
  expect(voice.speaks('ps')).toBe(true);
  const reply = say('ps', ps('menu.question'));
  expect((await voice.clip('ps', [reply]))!.source).toBe('recording');
});

describe('an OpenAI-compatible TTS server', () => {
  let server: FakeSpeechServer;
  beforeAll(async () => {
    server = await FakeSpeechServer.start();
  });
  afterAll(() => server.close());

  test('is asked for WAV with its model and the voice of the language, and preferred over eSpeak', async () => {
    const tts = new OpenAiSpeechSynthesizer({
      url: server.url,
      model: 'kokoro',
      voices: { fr: 'ff_siwis' },
      apiKey: 'sk-local',
    });
    const voice = voiceWith(new PreferredSynthesizer([tts, new EspeakSynthesizer()]));
    const reply = say('fr', 'Bonjour.', 'Votre atelier est mardi.');
    const clip = await voice.clip('fr', [reply]);
    expect(server.speech).toEqual([
      {
        model: 'kokoro',
        voice: 'ff_siwis',
        input: 'Bonjour.\nVotre atelier est mardi.',
        response_format: 'wav',
        authorization: 'Bearer sk-local',
      },
    ]);
    expect(decodeClip(await clip!.audio()).seconds).toBeGreaterThan(1);
    // English has no voice on this server: eSpeak NG says it.
    const en = say('en', 'Hello.');
    await voice.clip('en', [en]);
    expect(server.speech).toHaveLength(1);
  });

  test('a failing server fails the clip (the caller sends the text alone)', async () => {
    server.failWith = 503;
    try {
      const tts = new OpenAiSpeechSynthesizer({ url: server.url, model: 'piper', voices: { fr: 'siwis' } });
      const reply = say('fr', 'Bonjour.');
      await expect(voiceWith(tts).clip('fr', [reply])).rejects.toThrow('503');
    } finally {
      server.failWith = undefined;
    }
  });
});

test('the cache keeps its bound: the clips used least recently go first', async () => {
  const cache = new ClipCache(path.join(dir, 'bounded'), 250);
  const clip = (n: number) => cache.get(`c${n}`, async () => Buffer.alloc(100, n));
  await clip(1);
  await clip(2);
  await clip(1); // used again: c2 is now the oldest
  await clip(3);
  expect(fs.readdirSync(path.join(dir, 'bounded')).sort()).toEqual(['c1.ogg', 'c3.ogg']);
  expect(cache.totalBytes).toBe(200);
  // A new cache over the same folder knows what is there.
  expect(new ClipCache(path.join(dir, 'bounded'), 250).totalBytes).toBe(200);
});
