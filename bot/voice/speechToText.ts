// Voice notes into words, when a speech-to-text service is configured (SPEECH_TO_TEXT_URL), in
// one of two dialects (SPEECH_TO_TEXT_API):
//   - "openai" (the de-facto standard, which whisper.cpp's server, faster-whisper servers and
//     LocalAI accept): POST <url>/v1/audio/transcriptions, multipart form: file, model, language
//     (ISO 639-1), response_format=json -> 200 {"text": "..."};
//   - "simple" (this project's first interface): POST <url>?language=<BCP 47 tag, e.g. ar-SA>,
//     Content-Type: the audio's type, body: the audio bytes -> 200 {"text": "..."}.
// An empty text means nothing was understood. The middleware gives a voice note's words to the
// dialogs as the message text (the voice note stays attached, for the CIP). Without a service, or
// when it fails, the message keeps no text and the dialogs say that they cannot listen yet (or keep
// the voice note, where they can).
import fs from 'node:fs';
import type { Middleware, TurnContext } from 'botbuilder-core';
import { language } from '../i18n/languages';
import type { Logger } from '../runtime/logger';
import { mediaIdOf, type MediaStore } from '../media/store';
import { turnLocale } from '../turns/turnState';

export interface SpeechToText {
  /** the words of the audio, or undefined when nothing could be understood */
  transcribe(audio: Buffer, contentType: string, bcp47: string): Promise<string | undefined>;
}

/** Both interfaces answer {"text": "..."}: the words, or undefined when nothing was understood. */
async function wordsOf(res: Response): Promise<string | undefined> {
  if (!res.ok) throw new Error(`speech-to-text answered ${res.status}`);
  const body = (await res.json()) as { text?: unknown };
  const text = typeof body.text === 'string' ? body.text.trim() : '';
  return text || undefined;
}

export class HttpSpeechToText implements SpeechToText {
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 20000,
  ) {}

  async transcribe(audio: Buffer, contentType: string, bcp47: string): Promise<string | undefined> {
    const target = new URL(this.url);
    target.searchParams.set('language', bcp47);
    return wordsOf(
      await fetch(target, {
        method: 'POST',
        headers: { 'Content-Type': contentType },
        body: audio,
        signal: AbortSignal.timeout(this.timeoutMs),
      }),
    );
  }
}

/** The languages Whisper models know (Tigrinya is not one: the server guesses). */
const WHISPER_LANGUAGES = new Set(['fr', 'en', 'ar', 'fa', 'ps', 'ru', 'uk']);

const EXTENSIONS: Record<string, string> = {
  'audio/ogg': 'ogg',
  'audio/opus': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'audio/amr': 'amr',
  'audio/webm': 'webm',
  'audio/wav': 'wav',
};

export class OpenAiSpeechToText implements SpeechToText {
  constructor(
    private readonly url: string,
    private readonly model: string,
    private readonly apiKey?: string,
    private readonly timeoutMs = 20000,
  ) {}

  async transcribe(audio: Buffer, contentType: string, bcp47: string): Promise<string | undefined> {
    const type = contentType.split(';')[0]!.trim();
    const form = new FormData();
    // Servers pick the decoder from the file name's extension.
    form.set('file', new Blob([new Uint8Array(audio)], { type }), `voice.${EXTENSIONS[type] ?? 'ogg'}`);
    form.set('model', this.model);
    const code = bcp47.split('-')[0]!;
    if (WHISPER_LANGUAGES.has(code)) form.set('language', code);
    form.set('response_format', 'json');
    const url = new URL('v1/audio/transcriptions', this.url.replace(/\/?$/, '/'));
    const headers: Record<string, string> = this.apiKey ? { Authorization: `Bearer ${this.apiKey}` } : {};
    return wordsOf(
      await fetch(url, { method: 'POST', headers, body: form, signal: AbortSignal.timeout(this.timeoutMs) }),
    );
  }
}

/** Files larger than this are not sent for transcription (a voice note of a few minutes is ~1 MB). */
const MAX_AUDIO_BYTES = 10 * 1024 * 1024;

export class SpeechMiddleware implements Middleware {
  constructor(
    private readonly stt: SpeechToText,
    private readonly media: MediaStore,
    private readonly log: Logger,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const { activity } = context;
    const audio =
      activity.type === 'message' && !activity.text?.trim()
        ? activity.attachments?.find((a) => /^audio\//.test(a.contentType ?? ''))
        : undefined;
    const id = mediaIdOf(audio?.contentUrl);
    if (id) {
      const started = Date.now();
      try {
        const file = await this.media.get(id);
        if (file && file.size <= MAX_AUDIO_BYTES) {
          const text = await this.stt.transcribe(
            await fs.promises.readFile(file.file),
            file.contentType,
            language(turnLocale(context)).speechLocale,
          );
          if (text) activity.text = text;
          this.log.debug(
            { channel: activity.channelId, ms: Date.now() - started, understood: !!text },
            'voice note transcribed',
          );
        }
      } catch (err) {
        this.log.warn(
          { channel: activity.channelId, err: { message: (err as Error).message } },
          'speech-to-text failed',
        );
      }
    }
    await next();
  }
}
