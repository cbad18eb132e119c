// Yes or no, in every language, read so that a refusal is never taken for a yes (a yes records a
// consent, an erasure, a booking). The words come from the locale files (recognize.yes, .no,
// .negation, .unsure), plus thumbs and ticks; Microsoft's boolean recognizer reads the rest of
// French and English.
//
// The rule, in this order:
// - more than MAX_ANSWER_CHARS characters: not an answer (free text);
// - "I don't know", "maybe", "no problem" (recognize.unsure, any language): unclear;
// - a yes (a yes word, a sign or "1") together with a no, a negation of any language ("not ok",
//   "je ne sais pas", "ok لا"), a question mark or a long sentence around it: unclear, never yes;
// - a no (a no word, a sign or "2") without a yes: no;
// - a negation alone ("не знаю", "ne", "I do not want"): unclear.
// Words of the person's language, French and English count inside a sentence; those of the other
// languages only when the answer is nothing but such words ("ok", "نعم", "👍"); inside a sentence,
// their short Latin-letter forms are ordinary words ("la" is Arabic "no" and French "the"); longer
// ones, which the option matching also finds in a sentence, keep it unclear ("I fly to Bali").
// A word typed with a repeated letter ("ouiii", "nooon", "yess", "لااا") is read as the word.
import { Culture, recognizeBoolean } from '@microsoft/recognizers-text-choice';
import { LANGUAGE_CODES, type LanguageCode } from '../../bot/i18n/languages';
import { wordList } from '../../bot/i18n/translator';
import { MAX_ANSWER_CHARS, normalize, words } from './normalize';
import { numberFromWords } from './choice';

const YES_SIGNS = ['👍', '✅', '👌', '✔', '☑', '🆗', '🙆'];
const NO_SIGNS = ['👎', '❌', '✖', '🚫', '❎', '⛔', '🙅'];
const SIGN = new RegExp(`(${[...YES_SIGNS, ...NO_SIGNS].join('|')})`, 'gu');

export type YesNo = 'yes' | 'no';
/** what an answer says: yes, no, or something that must be asked again more simply */
export type YesNoReading = YesNo | 'unclear';

/** The words (and signs) that mean yes, or no, for a person writing in `locale`. */
export function yesNoWords(locale: LanguageCode, answer: YesNo): string[] {
  return [
    ...ownLanguages(locale).flatMap((l) => wordList(l, `recognize.${answer}`)),
    ...(answer === 'yes' ? YES_SIGNS : NO_SIGNS),
  ];
}

const ownLanguages = (locale: LanguageCode) => [...new Set<LanguageCode>([locale, 'fr', 'en'])];

type Kind = 'yes' | 'no' | 'unsure';

interface Phrase {
  tokens: string[];
  /** the tokens with repeated letters reduced (see loose) */
  loose: string[];
  kind: Kind;
  languages: Set<LanguageCode>;
  /** one word of one or two Latin letters ("la", "da", "na"): in another language's sentence, an ordinary word */
  short: boolean;
}

const tokensOf = (text: string) => words(normalize(text.replace(SIGN, ' $1 ')));

/** A letter typed three times or more, or twice at the end of a word, once: "nooon", "ouii", "لااا". */
const loose = (token: string) => token.replace(/(\p{L})\1{2,}/gu, '$1').replace(/(\p{L})\1$/u, '$1');

/**
 * Every phrase of every language, longest first; a phrase that is a yes in one language and a no in another is unsure.
 */
const PHRASES: Phrase[] = (() => {
  const byKey = new Map<string, Phrase>();
  const add = (text: string, kind: Kind, language?: LanguageCode) => {
    const tokens = tokensOf(text);
    if (!tokens.length) return;
    const key = tokens.join(' ');
    const known = byKey.get(key);
    if (!known) {
      const languages = new Set(language ? [language] : LANGUAGE_CODES);
      const short = /^[a-z]{1,2}$/.test(key);
      byKey.set(key, { tokens, loose: tokens.map(loose), kind, languages, short });
    } else {
      if (known.kind !== kind) known.kind = 'unsure';
      if (language) known.languages.add(language);
    }
  };
  YES_SIGNS.forEach((s) => add(s, 'yes'));
  NO_SIGNS.forEach((s) => add(s, 'no'));
  for (const code of LANGUAGE_CODES) {
    for (const kind of ['unsure', 'no', 'yes'] as const)
      wordList(code, `recognize.${kind}`).forEach((w) => add(w, kind, code));
  }
  return [...byKey.values()].sort((a, b) => b.tokens.length - a.tokens.length);
})();

/** Negation words of every language; "x*" is a prefix (Dari نمی*, Tigrinya ኣይ*), "*x" a suffix (English *n't). */
const NEGATION = (() => {
  const whole = new Set<string>();
  const prefixes: string[] = [];
  const suffixes: string[] = [];
  for (const code of LANGUAGE_CODES) {
    for (const word of wordList(code, 'recognize.negation')) {
      const w = normalize(word);
      if (w.endsWith('*')) prefixes.push(w.slice(0, -1));
      else if (w.startsWith('*')) suffixes.push(w.slice(1));
      else whole.add(w);
    }
  }
  return (token: string) =>
    whole.has(token) || prefixes.some((p) => token.startsWith(p)) || suffixes.some((s) => token.endsWith(s));
})();

/** Words besides the yes/no words above which a yes is no longer plain (a sentence, not an answer). */
const MAX_OTHER_WORDS = 5;

const CULTURES: Partial<Record<LanguageCode, string>> = { fr: Culture.French, en: Culture.English };

/** The phrase at tokens[i], as typed or else with its repeated letters reduced. */
function phraseAt(tokens: string[], i: number): Phrase | undefined {
  const exact = PHRASES.find((p) => p.tokens.every((t, k) => tokens[i + k] === t));
  if (exact) return exact;
  const typed = tokens.slice(i).map(loose);
  return PHRASES.find((p) => p.loose.every((t, k) => typed[k] === t));
}

/**
 * What an answer to a yes/no question says ("1" is yes and "2" is no, as the question numbers
 * them); undefined when it says nothing of the kind (it may be asked again, more simply, too).
 */
export function readYesNo(text: string, locale: LanguageCode): YesNoReading | undefined {
  const said = readYesNoOrUnsure(text, locale);
  return said === 'unsure' ? 'unclear' : said;
}

/**
 * As readYesNo, but "I don't know" ("je ne sais pas", "не знаю", "نمی‌دانم", "maybe": recognize.unsure)
 * is its own answer, 'unsure', for a question that would rather be put again more simply than
 * merely repeated; readYesNo reads it as unclear.
 */
export function readYesNoOrUnsure(text: string, locale: LanguageCode): YesNoReading | 'unsure' | undefined {
  if (text.length > MAX_ANSWER_CHARS) return undefined;
  const tokens = tokensOf(text);
  if (!tokens.length) return undefined;
  const own = new Set(ownLanguages(locale));
  const found: Phrase[] = [];
  const rest: string[] = [];
  const numbers: string[] = [];
  let negated = false;
  for (let i = 0; i < tokens.length;) {
    const phrase = phraseAt(tokens, i);
    if (phrase) {
      found.push(phrase);
      i += phrase.tokens.length;
      continue;
    }
    const token = tokens[i++];
    if (/^\d+$/.test(token)) numbers.push(token);
    else if (NEGATION(token)) negated = true;
    else rest.push(token);
  }
  // Short Latin-letter words of another language inside a sentence: ordinary words ("je viens à la réunion").
  if (rest.length) {
    const foreign = (p: Phrase) => p.short && ![...p.languages].some((l) => own.has(l));
    rest.push(...found.filter(foreign).flatMap((p) => p.tokens));
    found.splice(0, found.length, ...found.filter((p) => !foreign(p)));
  }
  if (found.some((p) => p.kind === 'unsure')) return 'unsure';
  // The option's number in words, as a short answer alone ("un", "the first", "دو"), as choices read it.
  const spoken =
    !found.length && !negated && !numbers.length && rest.length <= 2 ? numberFromWords(rest, locale) : undefined;
  if (spoken !== undefined) {
    numbers.push(String(spoken));
    rest.length = 0;
  }
  const alone = rest.length === 0;
  const counts = (p: Phrase) => alone || [...p.languages].some((l) => own.has(l));
  if (numbers.some((n) => n !== '1' && n !== '2')) return 'unclear'; // "3", "12": not an option
  const yes = numbers.includes('1') || found.some((p) => p.kind === 'yes' && counts(p));
  const no = numbers.includes('2') || found.some((p) => p.kind === 'no');
  const question = /[?؟¿]/.test(text);
  if (yes) return no || negated || question || rest.length > MAX_OTHER_WORDS ? 'unclear' : 'yes';
  if (no) return found.some((p) => p.kind === 'no' && counts(p)) || numbers.includes('2') ? 'no' : 'unclear';
  // a negation alone, or a yes word of another language inside a sentence
  if (negated || found.length) return 'unclear';
  const culture = CULTURES[locale];
  if (!culture || question) return undefined;
  const said = recognizeBoolean(text, culture);
  if (said.length !== 1) return undefined;
  return (said[0].resolution as { value: boolean }).value ? 'yes' : 'no';
}
