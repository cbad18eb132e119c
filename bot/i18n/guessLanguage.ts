// A first guess at a new person's language, from what we have before they choose one: the script of
// their first message, the browser's languages (web chat) and, as a weak hint, the country code of
// their phone number (WhatsApp). The result is only ever offered: one language is confirmed with
// one digit ("ትግርኛ? 1 yes / 2 another language"), several are offered as a short list.
import { languageFromLocaleTag, type LanguageCode } from './languages';

export interface LanguageClues {
  /** the person's first message */
  text?: string;
  /** the person's phone number, digits with the country code (WhatsApp's wa_id: 93701234567) */
  phone?: string;
  /** the browser's languages, most preferred first (navigator.languages) */
  browser?: readonly string[];
}

/** The languages usually written in each country (first the most common), by calling code. */
const COUNTRY_CODES: ReadonlyArray<[prefix: string, languages: LanguageCode[]]> = [
  ['93', ['fa', 'ps']], // Afghanistan
  ['291', ['ti']], // Eritrea
  ['963', ['ar']], // Syria
  ['964', ['ar']], // Iraq
  ['249', ['ar']], // Sudan
  ['380', ['uk']], // Ukraine
  ['7', ['ru']], // Russia, Kazakhstan
];

/** Arabic-script letters only Pashto has (ټ ډ ړ ږ ښ ګ ڼ ۍ ې ځ څ ...). */
const PASHTO_LETTERS = /[\u067C\u0681\u0685\u0689\u0693\u0696\u069A\u06AB\u06BC\u06CD\u06D0]/;
/** Letters Dari and Pashto have and Arabic has not (پ چ ژ گ, Persian kaf and yeh). */
const PERSIAN_LETTERS = /[\u067E\u0686\u0698\u06AF\u06A9\u06CC]/;
/** Letters an Arabic keyboard writes and a Persian one does not (ة, ى, Arabic yeh and kaf). */
const ARABIC_LETTERS = /[\u0629\u0649\u064A\u0643]/;
// Letters only: digits (١ ۴ ፬) and signs (؟ ،) say nothing of the language.
const ARABIC_SCRIPT = /(?=\p{L})\p{Script=Arabic}/u;
const ETHIOPIC_SCRIPT = /(?=\p{L})\p{Script=Ethiopic}/u;
const CYRILLIC_SCRIPT = /(?=\p{L})\p{Script=Cyrillic}/u;
/** і ї є ґ: Ukrainian; ы э ъ ё: Russian. */
const UKRAINIAN_LETTERS = /[іїєґІЇЄҐ]/;
const RUSSIAN_LETTERS = /[ыэъёЫЭЪЁ]/;

/** The languages a phone number's country code suggests, most common first. */
export function languagesOfPhone(phone: string | undefined): LanguageCode[] {
  const digits = phone?.replace(/\D/g, '').replace(/^00/, '');
  if (!digits) return [];
  return COUNTRY_CODES.find(([prefix]) => digits.startsWith(prefix))?.[1] ?? [];
}

/** The languages a message's letters allow, most likely first; empty when they say nothing. */
export function languagesOfScript(text: string | undefined): LanguageCode[] {
  if (!text) return [];
  if (ETHIOPIC_SCRIPT.test(text)) return ['ti'];
  if (CYRILLIC_SCRIPT.test(text)) {
    if (UKRAINIAN_LETTERS.test(text)) return ['uk'];
    if (RUSSIAN_LETTERS.test(text)) return ['ru'];
    return ['ru', 'uk'];
  }
  if (ARABIC_SCRIPT.test(text)) {
    if (PASHTO_LETTERS.test(text)) return ['ps'];
    if (PERSIAN_LETTERS.test(text)) return ['fa', 'ps'];
    if (ARABIC_LETTERS.test(text)) return ['ar'];
    return ['ar', 'fa', 'ps'];
  }
  // Latin letters: French, English, or any language typed on a Latin keyboard ("salam", "selam").
  return [];
}

/** The first of the browser's languages that we speak. */
export function languageOfBrowser(tags: readonly string[] | undefined): LanguageCode | undefined {
  for (const tag of tags ?? []) {
    const code = languageFromLocaleTag(tag);
    if (code) return code;
  }
  return undefined;
}

/**
 * The languages to offer, most likely first: the browser's language alone; else the script's
 * candidates, narrowed by the phone's country where they agree (Arabic script from +963: Arabic;
 * from +93: Dari or Pashto); else the phone's country alone. Empty: nothing to go on (the full list).
 */
export function guessLanguages(clues: LanguageClues): LanguageCode[] {
  const browser = languageOfBrowser(clues.browser);
  if (browser) return [browser];
  const script = languagesOfScript(clues.text);
  const country = languagesOfPhone(clues.phone);
  if (script.length === 0) return country;
  const agreed = country.filter((code) => script.includes(code));
  return agreed.length > 0 ? agreed : script;
}
