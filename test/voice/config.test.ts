// The voice settings: defaults, a TTS server with its voices, the speech-to-text interface, errors.
import path from 'node:path';
import { ConfigError, loadConfig } from '../../bot/runtime/config';
import { projectRoot } from '../../bot/runtime/paths';

test('defaults: the built-in voice on, a 200 MB cache under data/, the simple speech-to-text interface', () => {
  const c = loadConfig({});
  expect(c.voice).toEqual({
    enabled: true,
    cacheDir: path.join(projectRoot, 'data', 'voice-cache'),
    cacheMaxBytes: 200 * 1024 * 1024,
  });
  expect(c.speechToText).toMatchObject({ api: 'simple', model: 'whisper-1' });
});

test('a TTS server with a voice per language; the OpenAI speech-to-text interface', () => {
  const c = loadConfig({
    TTS_URL: 'http://127.0.0.1:5002',
    TTS_MODEL: 'kokoro',
    TTS_VOICES: 'fr:ff_siwis, en:bf_emma',
    TTS_API_KEY: 'k',
    VOICE_CACHE_MB: '50',
    SPEECH_TO_TEXT_URL: 'http://127.0.0.1:8080',
    SPEECH_TO_TEXT_API: 'openai',
    SPEECH_TO_TEXT_MODEL: 'large-v3',
  });
  expect(c.voice.tts).toEqual({
    url: 'http://127.0.0.1:5002',
    model: 'kokoro',
    voices: { fr: 'ff_siwis', en: 'bf_emma' },
    apiKey: 'k',
  });
  expect(c.voice.cacheMaxBytes).toBe(50 * 1024 * 1024);
  expect(c.speechToText).toEqual({ api: 'openai', model: 'large-v3', apiKey: undefined });
  expect(loadConfig({ VOICE: 'off' }).voice.enabled).toBe(false);
});

test.each([
  [{ TTS_VOICES: 'xx:voice' }, 'TTS_VOICES'],
  [{ TTS_VOICES: 'fr' }, 'TTS_VOICES'],
  [{ TTS_URL: 'ftp://tts' }, 'TTS_URL'],
  [{ SPEECH_TO_TEXT_API: 'azure' }, 'SPEECH_TO_TEXT_API'],
  [{ VOICE_CACHE_MB: '0' }, 'VOICE_CACHE_MB'],
])('%j is refused, naming %s', (env, name) => {
  expect(() => loadConfig(env)).toThrow(ConfigError);
  expect(() => loadConfig(env)).toThrow(name);
});
