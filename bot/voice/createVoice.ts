// The voice of the application from its settings: the TTS server where one is set (for the
// languages it has a voice for), eSpeak NG where it is installed, the recorded prompts always.
// Without opus-tools there is no Ogg/Opus to send: nobody hears the bot, and the log says why.
import type { VoiceConfig } from '../runtime/config';
import type { Logger } from '../runtime/logger';
import { LANGUAGE_CODES } from '../i18n/languages';
import { hasTool } from './audioTools';
import { ClipCache } from './clipCache';
import { Recordings } from './recordings';
import { EspeakSynthesizer, OpenAiSpeechSynthesizer, PreferredSynthesizer, type Synthesizer } from './synthesizers';
import { Voice } from './voice';

export function createVoice(config: VoiceConfig, log: Logger): Voice | undefined {
  if (!config.enabled) return undefined;
  if (!hasTool('opusenc') || !hasTool('opusdec')) {
    log.warn('voice off: opus-tools is not installed (apt-get install opus-tools espeak-ng)');
    return undefined;
  }
  const engines: Synthesizer[] = [];
  if (config.tts) engines.push(new OpenAiSpeechSynthesizer(config.tts));
  if (EspeakSynthesizer.available()) engines.push(new EspeakSynthesizer());
  else log.warn('eSpeak NG is not installed (apt-get install espeak-ng): only recordings and TTS_URL speak');
  const voice = new Voice(
    new Recordings(),
    new ClipCache(config.cacheDir, config.cacheMaxBytes),
    log,
    engines.length ? new PreferredSynthesizer(engines) : undefined,
  );
  log.info({ languages: LANGUAGE_CODES.filter((c) => voice.speaks(c)) }, 'voice ready');
  return voice;
}
