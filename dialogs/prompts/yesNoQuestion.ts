// A yes/no question for NumberedChoicePrompt: "1. Oui / 2. Non", also answered by the yes and no
// words of any of our languages and by 👍 ✅ ❌ (a Dari speaker may well answer "ok" or "نعم").
// The answer is read by readYesNo, never by the option matching: an answer with a negation is
// never a yes, and a mixed or unclear one ("yes no", "ok لا", "не знаю") is asked again more
// simply ("1. Oui, d'accord / 2. Non / Envoyez 1 ou 2.").
import { translator } from '../../bot/i18n';
import { LANGUAGE_CODES, type LanguageCode } from '../../bot/languages';
import { readYesNo, yesNoWords, type YesNo } from '../recognizers/yesNo';
import type { Question } from './numberedChoicePrompt';

export type { YesNo };

/** Yes or no, in the person's language and any other; undefined when unclear or not an answer. */
export function recognizeYesNoAnyLanguage(text: string, locale: LanguageCode): YesNo | undefined {
  const said = readYesNo(text, locale);
  return said === 'unclear' ? undefined : said;
}

// The words as synonyms of the options, for the readers of proactive answers that match options
// (an invitation's "oui"); the prompt itself reads with readYesNo.
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
  const options = (yes: string, no: string) => [
    { value: values[0], label: yes, synonyms: SYNONYMS.yes },
    { value: values[1], label: no, synonyms: SYNONYMS.no },
  ];
  const read = (text: string, l: LanguageCode) => {
    const said = recognizeYesNoAnyLanguage(text, l);
    return said === 'yes' ? values[0] : said === 'no' ? values[1] : undefined;
  };
  return {
    question,
    options: options(labels.yes ?? t('common.yes'), labels.no ?? t('common.no')),
    hints: [t('prompt.hint')],
    recognize: read,
    read,
    // After a miss: "1. Oui, d'accord / 2. Non / Envoyez 1 ou 2." (a caller's own labels stay).
    simpler: {
      question,
      options: options(labels.yes ?? t('prompt.yesNo.yes'), labels.no ?? t('common.no')),
      hints: [t('prompt.yesNo.hint')],
    },
  };
}
