// A yes/no question for NumberedChoicePrompt: "1. Oui / 2. Non" (built by cards/questions), also
// answered by the yes and no words of any of our languages and by 👍 ✅ ❌ (a Dari speaker may
// well answer "ok" or "نعم"). The answer is read by readYesNo, never by the option matching: an
// answer with a negation is never a yes, and a mixed or unclear one ("yes no", "ok لا", "не знаю")
// is asked again more simply ("1. Oui, d'accord / 2. Non / Envoyez 1 ou 2.").
import { LANGUAGE_CODES, type LanguageCode } from '../../bot/i18n/languages';
import { yesNoOptions, type Question } from '../../cards/questions';
import { readYesNo, yesNoWords, type YesNo } from '../recognizers/yesNo';

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
 * A question whose first two options are yes (`values[0]`) and no (`values[1]`), made readable as
 * one: their words in every language as synonyms, and the answer read by readYesNo.
 */
export function readAsYesNo(q: Question, values: [string, string] = ['yes', 'no']): Question {
  const withWords = (options: Question['options']) =>
    options.map((o) =>
      o.value === values[0]
        ? { ...o, synonyms: SYNONYMS.yes }
        : o.value === values[1]
          ? { ...o, synonyms: SYNONYMS.no }
          : o,
    );
  const read = (text: string, l: LanguageCode) => {
    const said = recognizeYesNoAnyLanguage(text, l);
    return said === 'yes' ? values[0] : said === 'no' ? values[1] : undefined;
  };
  return {
    ...q,
    options: withWords(q.options),
    recognize: read,
    read,
    ...(q.simpler && { simpler: { ...q.simpler, options: withWords(q.simpler.options) } }),
  };
}

/**
 * "1. Oui / 2. Non" (or labels of the caller's, e.g. "Oui, je viens"), from yesNoOptions' own
 * arguments (locale, question, labels, values); the answer's value is `values[0]` for yes and
 * `values[1]` for no.
 */
export function yesNoQuestion(...args: Parameters<typeof yesNoOptions>): Question {
  const [, , , values] = args;
  return readAsYesNo(yesNoOptions(...args), values);
}
