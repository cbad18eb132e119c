// How an answer to a question that records something (an invitation books a seat, a reminder
// confirms, a check-in or an attendance goes on a case) is read: a negation is never the positive
// option. "I can't come", "je ne viens pas", "لن آتي" do not book, even though they name "come".
//
// In this order:
// - the question's own yes/no reading (`read`: "1", "oui", "نعم", "2", "non"; a yes with a
//   negation, a question mark or a "no" is not a yes);
// - then the option matching (labels, synonyms, numbers in words, other options' numbers);
//   a bare number ("3", "٣") is that option;
// - an option matched by its words in an answer that has a negation, a "no" or is unclear
//   ("pas bien", "he was not late", "je ne sais pas si je viens") is UNCLEAR: the question is put
//   again, nothing is recorded. Only the options the caller names as negative ("2. Not this
//   time", "2. I can't come") may be matched by words that carry a negation.
import type { LanguageCode } from '../../bot/i18n/languages';
import type { Question } from '../../cards/questions';
import { recognizeChoice } from '../recognizers/choice';
import { normalize, words } from '../recognizers/normalize';
import { readYesNo } from '../recognizers/yesNo';

export const UNCLEAR = 'unclear' as const;
export type Unclear = typeof UNCLEAR;

/**
 * The value of the option an answer picks, UNCLEAR when it must be asked again, undefined when it is no answer to it.
 */
export function readRecordingAnswer(
  text: string,
  q: Question,
  locale: LanguageCode,
  negative: string[] = [],
): string | Unclear | undefined {
  const read = q.read?.(text, locale);
  if (read !== undefined) return read;
  const value = recognizeChoice(text, q.options, locale)?.value ?? q.recognize?.(text, locale);
  if (value === undefined) return undefined;
  const tokens = words(normalize(text));
  if (tokens.length === 1 && /^\d+$/.test(tokens[0])) return value;
  if (negative.includes(value)) return value;
  const reading = readYesNo(text, locale);
  return reading === 'unclear' || reading === 'no' ? UNCLEAR : value;
}
