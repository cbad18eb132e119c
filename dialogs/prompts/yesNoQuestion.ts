// A yes/no question for NumberedChoicePrompt: "1. Oui / 2. Non", also answered by the yes and no
// words of any of our languages and by 👍 ✅ ❌ (a Dari speaker may well answer "ok" or "نعم").
import { translator } from '../../bot/i18n';
import { LANGUAGE_CODES, type LanguageCode } from '../../bot/languages';
import { recognizeYesNo, yesNoWords } from '../recognizers/yesNo';
import type { Question } from './numberedChoicePrompt';

export type YesNo = 'yes' | 'no';

// recognizeYesNo already reads the person's language, French and English (with Microsoft's
// recognizer for these two); the other languages add their word lists only.
const OTHERS = LANGUAGE_CODES.filter((c) => c !== 'fr' && c !== 'en');

/** Yes or no in the person's language first, else in any language, when they all agree. */
export function recognizeYesNoAnyLanguage(text: string, locale: LanguageCode): YesNo | undefined {
  const own = recognizeYesNo(text, locale);
  if (own) return own;
  const found = new Set(OTHERS.filter((c) => c !== locale).map((c) => recognizeYesNo(text, c)));
  found.delete(undefined);
  return found.size === 1 ? [...found][0] : undefined;
}

// The words as synonyms of the options: matched before the number recognizers, which cost seconds
// on their first calls for an answer like "👍" (no word is both a yes and a no in our languages).
const synonyms = (answer: YesNo) => [...new Set(LANGUAGE_CODES.flatMap((c) => yesNoWords(c, answer)))];
const SYNONYMS = { yes: synonyms('yes'), no: synonyms('no') };

/**
 * "1. Oui / 2. Non" (or labels of the caller's, e.g. "Oui, je viens"); the answer's value is
 * `values[0]` for yes and `values[1]` for no.
 */
export function yesNoQuestion(
  locale: LanguageCode,
  question: string | string[],
  labels: { yes?: string; no?: string } = {},
  values: [string, string] = ['yes', 'no'],
): Question {
  const t = translator(locale);
  return {
    question,
    options: [
      { value: values[0], label: labels.yes ?? t('common.yes'), synonyms: SYNONYMS.yes },
      { value: values[1], label: labels.no ?? t('common.no'), synonyms: SYNONYMS.no },
    ],
    hints: [t('prompt.hint')],
    recognize: (text, l) => {
      const said = recognizeYesNoAnyLanguage(text, l);
      return said === 'yes' ? values[0] : said === 'no' ? values[1] : undefined;
    },
  };
}
