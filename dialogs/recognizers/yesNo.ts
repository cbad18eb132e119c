// Yes or no, in every language: the words of the locale files (the person's language, French and
// English), thumbs and ticks, and Microsoft's boolean recognizer for French and English.
import { recognizeBoolean, Culture } from '@microsoft/recognizers-text-suite';
import type { LanguageCode } from '../../bot/languages';
import { wordList } from '../../bot/i18n';
import { normalize, words } from './normalize';

const YES_SIGNS = ['👍', '✅', '👌', '✔', '☑'];
const NO_SIGNS = ['👎', '❌', '✖', '🚫'];

/** The words (and signs) that mean yes, or no, for a person writing in `locale`. */
export function yesNoWords(locale: LanguageCode, answer: 'yes' | 'no'): string[] {
  const langs = [...new Set<LanguageCode>([locale, 'fr', 'en'])];
  return [...langs.flatMap((l) => wordList(l, `recognize.${answer}`)), ...(answer === 'yes' ? YES_SIGNS : NO_SIGNS)];
}

const CULTURES: Partial<Record<LanguageCode, string>> = { fr: Culture.French, en: Culture.English };

export function recognizeYesNo(text: string, locale: LanguageCode): 'yes' | 'no' | undefined {
  const tokens = words(normalize(text));
  if (!tokens.length) return undefined;
  const joined = tokens.join(' ');
  const has = (answer: 'yes' | 'no') =>
    yesNoWords(locale, answer).some((w) => {
      const n = words(normalize(w)).join(' ');
      return n && (joined === n || tokens.includes(n));
    });
  const yes = has('yes');
  const no = has('no');
  if (yes !== no) return yes ? 'yes' : 'no';
  const culture = CULTURES[locale];
  if (!culture) return undefined;
  const found = recognizeBoolean(text, culture);
  if (found.length !== 1) return undefined;
  return (found[0].resolution as { value: boolean }).value ? 'yes' : 'no';
}
