// What the person reads when a file is refused: in their language, what they can send instead.
import type { Activity } from 'botbuilder-core';
import { say, type Message } from '../../cards/messages';
import { translator } from '../i18n/translator';
import { languageFromLocaleTag, type LanguageCode } from '../i18n/languages';

export const REFUSED_KEY = 'media.refused';

export function refusalMessage(locale: LanguageCode): Message {
  return say(locale, translator(locale)(REFUSED_KEY));
}

/**
 * The web chat's refusal, outside any turn (the upload is answered 415 and never reaches the bot):
 * the bot stamps each reply with the person's language, so its last reply in the transcript says
 * which one to use.
 */
export function webchatRefusal(transcript: readonly Activity[], fallback: LanguageCode): Message {
  for (let i = transcript.length - 1; i >= 0; i--) {
    const a = transcript[i];
    const code = a.from?.role === 'bot' ? languageFromLocaleTag(a.locale) : undefined;
    if (code) return refusalMessage(code);
  }
  return refusalMessage(fallback);
}
