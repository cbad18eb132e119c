// Voice notes into words, when a speech-to-text service is configured (SPEECH_TO_TEXT_URL): an
// HTTP service that takes the audio and a language and returns the text.
//   POST <SPEECH_TO_TEXT_URL>?language=<BCP 47 tag, e.g. ar-SA>
//   Content-Type: the audio's type (audio/ogg, audio/mpeg...); body: the audio bytes
//   -> 200 {"text": "..."}   (an empty text: nothing was understood)
// The middleware gives a voice note's words to the dialogs as the message text (the voice note
// stays attached, for the CIP). Without a service, or when it fails, the message keeps no text
// and the dialogs say that they cannot listen yet (or keep the voice note, where they can).
import fs from 'node:fs';
import type { Middleware, TurnContext } from 'botbuilder';
import { language } from '../i18n/languages';
import type { Logger } from '../runtime/logger';
import { mediaIdOf, type MediaStore } from '../media/store';
import { turnLocale } from '../turns/turnState';

export interface SpeechToText {
  /** the words of the audio, or undefined when nothing could be understood */
  transcribe(audio: Buffer, contentType: string, bcp47: string): Promise<string | undefined>;
}

export class HttpSpeechToText implements SpeechToText {
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 20000,
  ) {}

  async transcribe(audio: Buffer, contentType: string, bcp47: string): Promise<string | undefined> {
    const target = new URL(this.url);
    target.searchParams.set('language', bcp47);
    const res = await fetch(target, {
      method: 'POST',
      headers: { 'Content-Type': contentType },
      body: audio,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) throw new Error(`speech-to-text answered ${res.status}`);
    const body = (await res.json()) as { text?: unknown };
    const text = typeof body.text === 'string' ? body.text.trim() : '';
    return text || undefined;
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
