// Dates and times as people read them, in their language and the platform's time zone:
// "mardi 3 mars, 9 h 30", "Tuesday 3 March, 09:30", "الثلاثاء، 3 مارس، 9:30 ص".
// Always the Gregorian calendar (Intl would pick the Persian one for Dari and Pashto).
// Always Latin digits, in every language: one digit system in every message (see latinDigits).
import type { TFunction } from 'i18next';
import { language, type LanguageCode } from '../bot/i18n/languages';

const INTL_LOCALE: Record<LanguageCode, string> = {
  fr: 'fr-FR',
  en: 'en-GB',
  ar: 'ar',
  fa: 'fa-AF',
  ps: 'ps-AF',
  ti: 'ti',
  ru: 'ru-RU',
  uk: 'uk-UA',
};

const cache = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: LanguageCode, timeZone: string, kind: 'day' | 'time'): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${kind}`;
  let f = cache.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      kind === 'day' ? { weekday: 'long', day: 'numeric', month: 'long' } : { hour: 'numeric', minute: '2-digit' };
    f = new Intl.DateTimeFormat(INTL_LOCALE[locale], {
      ...options,
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
    });
    cache.set(key, f);
  }
  return f;
}

/** "mardi 3 mars" */
export function formatDay(date: Date, locale: LanguageCode, timeZone: string): string {
  return formatter(locale, timeZone, 'day').format(date);
}

/** "9 h 30" in French (its usual written form), the language's own form elsewhere */
export function formatTime(date: Date, locale: LanguageCode, timeZone: string): string {
  if (locale === 'fr') {
    const parts = Object.fromEntries(
      formatter('fr', timeZone, 'time')
        .formatToParts(date)
        .map((p) => [p.type, p.value]),
    );
    return parts.minute === '00' ? `${Number(parts.hour)} h` : `${Number(parts.hour)} h ${parts.minute}`;
  }
  return formatter(locale, timeZone, 'time').format(date);
}

/** The comma between the items of a list: "، " in Arabic script, "፣ " in Ge'ez. */
export function listSeparator(locale: LanguageCode): string {
  return locale === 'ar' || locale === 'fa' || locale === 'ps' ? '، ' : locale === 'ti' ? '፣ ' : ', ';
}

/** "mardi 3 mars, 9 h 30" */
export function formatDateTime(date: Date, locale: LanguageCode, timeZone: string): string {
  return `${formatDay(date, locale, timeZone)}${listSeparator(locale)}${formatTime(date, locale, timeZone)}`;
}

/** "9 h 30 – 11 h 30" */
export function formatTimeRange(start: Date, end: Date, locale: LanguageCode, timeZone: string): string {
  return `${formatTime(start, locale, timeZone)} – ${formatTime(end, locale, timeZone)}`;
}

/** A workshop's title in the person's language, else the French title of the database. */
export function titleOf(t: TFunction, s: { workshopCode: string; title?: string }): string {
  return t(`workshops.titles.${s.workshopCode}`, { defaultValue: s.title ?? s.workshopCode });
}

// Numbers are written with Latin digits in every language (Intl's numbering system set to latn
// above; i18next counts are Latin too): the numbered options' digits, the buttons' values,
// addresses, phone and emergency numbers (15, 112...) are Latin anyway, so one system is the only
// way a message shows one; answers typed back in any digits are read (recognizers/normalize).

const FSI = '\u2068';
const PDI = '\u2069';
/** A run of Latin words (an address, a French title, a name) or of digits ("3", "9:30", "1991"). */
const LATIN_RUN = /[A-Za-z\u00C0-\u024F0-9](?:[A-Za-z\u00C0-\u024F0-9'’.,:/\- ]*[A-Za-z\u00C0-\u024F0-9])?/g;

/**
 * In a right-to-left language, each Latin run of a line ("Passerelle, 3 rue des Écoles, Blois",
 * "9:30") wrapped in Unicode isolates (FSI … PDI): it keeps its own order and does not reorder the
 * sentence around it. Left-to-right languages: the text as it is.
 */
export function isolateLatin(text: string, locale: LanguageCode): string {
  if (!language(locale).rtl || text.includes(FSI)) return text;
  return text.replace(LATIN_RUN, (run) => `${FSI}${run}${PDI}`);
}
