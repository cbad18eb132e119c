// Recognises which numbered option a person chose, the way people answer by voice or keyboard:
// "2", "٢", "۲", "deux", "two", "the second", "le 2", the option's label or one of its synonyms.
// Cheap checks run first; Microsoft's recognizers (French and English only) are the last resort.
// (The two recognizer packages we call, not the whole suite: see dialogs/sdk.ts.)
import { recognizeBoolean } from '@microsoft/recognizers-text-choice';
import { Culture, recognizeNumber, recognizeOrdinal } from '@microsoft/recognizers-text-number';
import { LANGUAGE_CODES, type LanguageCode } from '../../bot/i18n/languages';
import { wordList } from '../../bot/i18n/translator';
import { MAX_ANSWER_CHARS, normalize, words } from './normalize';
import type { ChoiceOption } from '../../cards/questions';

// (test/unit/recognizeChoice.test.ts takes the type from here)
export type { ChoiceOption };

export interface RecognizedChoice {
  index: number;
  value: string;
}

/** number word or ordinal (normalised) -> value, for one language */
function numberWords(code: LanguageCode): Map<string, number> {
  const map = new Map<string, number>();
  for (const key of ['recognize.numbers', 'recognize.ordinals']) {
    wordList(code, key).forEach((alternatives, value) => {
      for (const word of alternatives.split('/')) {
        if (word && word !== '-') map.set(normalize(word), value);
      }
    });
  }
  return map;
}

const NUMBER_WORDS = new Map(LANGUAGE_CODES.map((c) => [c, numberWords(c)]));

const RECOGNIZER_CULTURES: Partial<Record<LanguageCode, string>> = { fr: Culture.French, en: Culture.English };

/** A number said in words ("deux", "the second", "دوم"): the person's language, French, English. */
export function numberFromWords(tokens: string[], locale: LanguageCode): number | undefined {
  // The person's language first, then French and English, which many also use.
  for (const code of [locale, 'fr', 'en'] as LanguageCode[]) {
    const dict = NUMBER_WORDS.get(code)!;
    for (const token of tokens) {
      const n = dict.get(token);
      if (n !== undefined) return n;
    }
  }
  return undefined;
}

function numberFromRecognizers(text: string, locale: LanguageCode): number | undefined {
  const culture = RECOGNIZER_CULTURES[locale];
  if (!culture) return undefined;
  const value = (found: { resolution: unknown }[]) => {
    const n = Number((found[0].resolution as { value?: string }).value);
    return Number.isInteger(n) ? n : undefined;
  };
  // An ordinal anywhere is a choice ("I want the second one"); a number only when it is the
  // answer, not a word of a sentence ("j'ai une dette").
  const ordinals = recognizeOrdinal(text, culture);
  if (ordinals.length === 1) return value(ordinals);
  const numbers = recognizeNumber(text, culture);
  if (numbers.length === 1 && numbers[0].text.length >= 0.6 * text.trim().length) return value(numbers);
  return undefined;
}

/**
 * Loads the recognizers' models now: their first calls cost seconds (the models compile their
 * expressions lazily, per kind of input), which would otherwise freeze a person's first turns.
 */
export function warmUpRecognizers(): void {
  const samples = [
    'second',
    'deuxième',
    'two',
    'deux',
    'bof',
    'I do not know',
    'je ne sais pas',
    'oui',
    'non',
    'yes',
    'no',
    'the 3rd one',
  ];
  for (const culture of Object.values(RECOGNIZER_CULTURES)) {
    for (const text of samples) {
      recognizeOrdinal(text, culture!);
      recognizeNumber(text, culture!);
      recognizeBoolean(text, culture!);
    }
  }
}

function pick(options: ChoiceOption[], n: number | undefined): RecognizedChoice | undefined {
  if (n === undefined || n < 1 || n > options.length) return undefined;
  return { index: n - 1, value: options[n - 1].value };
}

export function recognizeChoice(
  input: string,
  options: ChoiceOption[],
  locale: LanguageCode,
): RecognizedChoice | undefined {
  if (input.length > MAX_ANSWER_CHARS) return undefined; // free text, not an option
  const text = normalize(input);
  if (!text) return undefined;
  const tokens = words(text);

  // 1. A number alone, maybe with punctuation: "2", "2.", "#2", "(2)".
  if (tokens.length === 1 && /^\d+$/.test(tokens[0])) return pick(options, Number(tokens[0]));

  // 2. The label or a synonym, whole.
  const names = options.map((o) => [o.label, ...(o.synonyms ?? [])].map((s) => words(normalize(s)).join(' ')));
  const joined = tokens.join(' ');
  const exact = names.findIndex((list) => list.includes(joined));
  if (exact >= 0) return { index: exact, value: options[exact].value };

  // 3. A number among other words: "le 2", "number 2 please".
  const digits = tokens.filter((t) => /^\d+$/.test(t));
  if (digits.length === 1) return pick(options, Number(digits[0]));

  // 4. A label inside the sentence, or the start of a label ("atelier" for "Ateliers"): one option only.
  //    An answer that also names another option, even by a short word ("yes no"), chose neither.
  const padded = ` ${joined} `;
  const contained = names
    .map((list, i) =>
      list.some((n) => n.length >= 3 && (padded.includes(` ${n} `) || (joined.length >= 4 && n.startsWith(joined))))
        ? i
        : -1,
    )
    .filter((i) => i >= 0);
  const named = (i: number) => names[i].some((n) => n && padded.includes(` ${n} `));
  if (contained.length === 1 && !options.some((_, i) => i !== contained[0] && named(i)))
    return { index: contained[0], value: options[contained[0]].value };

  // 5. Number words and ordinals as a short answer: "deux", "the second", "دوم". (In a sentence,
  //    "une" or "one" is rarely the choice: "j'ai une dette".)
  if (tokens.length <= 2) {
    const fromWords = numberFromWords(tokens, locale);
    if (fromWords !== undefined) return pick(options, fromWords);
  }

  // 6. Microsoft's recognizers, for the languages they know ("I want the second one"...): only
  //    for words in Latin letters, the only ones they read (each call costs about a millisecond).
  if (!/[a-z]/.test(text)) return undefined;
  return pick(options, numberFromRecognizers(input, locale));
}
