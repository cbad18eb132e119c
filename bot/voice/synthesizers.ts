// Speech synthesis, two engines behind one interface:
//   - an OpenAI-compatible server (TTS_URL): POST <url>/v1/audio/speech {model, input, voice,
//     response_format: "wav"}, the API that Piper, Kokoro and other local TTS servers expose;
//   - eSpeak NG (Debian's espeak-ng), built in, no network: French, English, Arabic, Dari/Persian,
//     Russian and Ukrainian. It has no Pashto nor Tigrinya voice: those use recordings only.
// Both give WAV, turned into PCM so that recorded prompts and synthesis can follow each other in
// one clip.
import type { LanguageCode } from '../i18n/languages';
import { hasTool, runTool, wavPcm, type Pcm } from './audioTools';

export interface Synthesizer {
  /** names the engine and voice of a language (part of the cache key: another voice, another clip) */
  voiceId(code: LanguageCode): string | undefined;
  /** the sentences spoken one after the other, with a short pause between them */
  synthesize(code: LanguageCode, sentences: string[]): Promise<Pcm>;
}

/** eSpeak NG's voice for each language it speaks. */
export const ESPEAK_VOICES: Partial<Record<LanguageCode, string>> = {
  fr: 'fr-fr',
  en: 'en-gb',
  ar: 'ar',
  fa: 'fa',
  ru: 'ru',
  uk: 'uk',
};

const escapeXml = (text: string) => text.replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'));

export class EspeakSynthesizer implements Synthesizer {
  /** words a minute: a little slower than eSpeak's 175, for people learning to listen to a machine */
  constructor(private readonly wordsPerMinute = 150) {}

  static available(): boolean {
    return hasTool('espeak-ng');
  }

  voiceId(code: LanguageCode): string | undefined {
    const voice = ESPEAK_VOICES[code];
    return voice && `espeak-ng:${voice}:${this.wordsPerMinute}`;
  }

  async synthesize(code: LanguageCode, sentences: string[]): Promise<Pcm> {
    const voice = ESPEAK_VOICES[code];
    if (!voice) throw new Error(`eSpeak NG has no voice for ${code}`);
    const ssml = `<speak>${sentences.map(escapeXml).join(' <break time="400ms"/> ')}</speak>`;
    const args = ['-m', '-v', voice, '-s', String(this.wordsPerMinute), '--stdout', '--stdin'];
    return wavPcm(await runTool('espeak-ng', args, ssml));
  }
}

export interface OpenAiSpeechOptions {
  url: string;
  model: string;
  /** the voice of each language; a language without one is not synthesised by this server */
  voices: Partial<Record<LanguageCode, string>>;
  apiKey?: string;
  timeoutMs?: number;
}

export class OpenAiSpeechSynthesizer implements Synthesizer {
  constructor(private readonly options: OpenAiSpeechOptions) {}

  voiceId(code: LanguageCode): string | undefined {
    const voice = this.options.voices[code];
    return voice && `tts:${this.options.url}:${this.options.model}:${voice}`;
  }

  async synthesize(code: LanguageCode, sentences: string[]): Promise<Pcm> {
    const voice = this.options.voices[code];
    if (!voice) throw new Error(`no TTS voice for ${code}`);
    const res = await fetch(new URL('v1/audio/speech', this.options.url.replace(/\/?$/, '/')), {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(this.options.apiKey && { Authorization: `Bearer ${this.options.apiKey}` }),
      },
      // One sentence a line: the servers pause at line ends.
      body: JSON.stringify({ model: this.options.model, voice, input: sentences.join('\n'), response_format: 'wav' }),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 20000),
    });
    if (!res.ok) throw new Error(`text-to-speech answered ${res.status}`);
    return wavPcm(Buffer.from(await res.arrayBuffer()));
  }
}

/** The engine for each language: the TTS server where it has a voice, else eSpeak NG where it has one. */
export class PreferredSynthesizer implements Synthesizer {
  constructor(private readonly engines: Synthesizer[]) {}

  private engine(code: LanguageCode): Synthesizer | undefined {
    return this.engines.find((e) => e.voiceId(code));
  }

  voiceId(code: LanguageCode): string | undefined {
    return this.engine(code)?.voiceId(code);
  }

  synthesize(code: LanguageCode, sentences: string[]): Promise<Pcm> {
    const engine = this.engine(code);
    if (!engine) return Promise.reject(new Error(`no voice for ${code}`));
    return engine.synthesize(code, sentences);
  }
}
