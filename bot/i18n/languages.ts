// The eight languages of Passerelle, in the fixed order the language menu shows them.

export const LANGUAGE_CODES = ['fr', 'en', 'ar', 'fa', 'ps', 'ti', 'ru', 'uk'] as const;
export type LanguageCode = (typeof LANGUAGE_CODES)[number];

export interface Language {
  code: LanguageCode;
  /** the name in its own script, as the menu shows it */
  nativeName: string;
  rtl: boolean;
  /** BCP 47 tag for speech (SSML xml:lang) */
  speechLocale: string;
  /** other ways people name the language, matched case- and accent-insensitively */
  aliases: string[];
}

/** Other ways people name each language, matched case- and accent-insensitively. */
const ALIASES: Record<LanguageCode, string[]> = {
  fr: ['francais', 'french', 'فرانسوی', 'فرنسية', 'الفرنسية', 'французский', 'французька'],
  en: ['anglais', 'انگلیسی', 'الإنجليزية', 'الانجليزية', 'انګلیسي', 'английский', 'англійська'],
  ar: ['عربي', 'عربى', 'arabe', 'arabic', 'عربی', 'арабский', 'арабська'],
  fa: ['دری', 'فارسی', 'فارسي', 'dari', 'farsi', 'persan', 'persian', 'дари', 'фарси'],
  ps: ['پشتو', 'pachto', 'pashto', 'pashtu', 'пушту'],
  ti: ['ትግሪኛ', 'tigrinya', 'tigrigna', 'тигринья'],
  ru: ['русский язык', 'russe', 'russian', 'рус', 'російська'],
  uk: ['украинский', 'ukrainien', 'ukrainian', 'укр'],
};

/** In menu order: the name each shows, its direction, its speech locale. */
const MENU: readonly Omit<Language, 'aliases'>[] = [
  { code: 'fr', nativeName: 'Français', rtl: false, speechLocale: 'fr-FR' },
  { code: 'en', nativeName: 'English', rtl: false, speechLocale: 'en-GB' },
  { code: 'ar', nativeName: 'العربية', rtl: true, speechLocale: 'ar-SA' },
  { code: 'fa', nativeName: 'دری / فارسی', rtl: true, speechLocale: 'fa-AF' },
  { code: 'ps', nativeName: 'پښتو', rtl: true, speechLocale: 'ps-AF' },
  { code: 'ti', nativeName: 'ትግርኛ', rtl: false, speechLocale: 'ti-ER' },
  { code: 'ru', nativeName: 'Русский', rtl: false, speechLocale: 'ru-RU' },
  { code: 'uk', nativeName: 'Українська', rtl: false, speechLocale: 'uk-UA' },
];

export const LANGUAGES: readonly Language[] = MENU.map((l) => ({ ...l, aliases: ALIASES[l.code] }));

const byCode = new Map<string, Language>(LANGUAGES.map((l) => [l.code, l]));

export function isLanguageCode(value: unknown): value is LanguageCode {
  return typeof value === 'string' && byCode.has(value);
}

export function language(code: LanguageCode): Language {
  return byCode.get(code)!;
}

/** Dari's own ISO 639-3 code, and other tags channels send for our languages. */
export const TAG_ALIASES: Record<string, LanguageCode> = { prs: 'fa', pes: 'fa', pbt: 'ps', pbu: 'ps', tir: 'ti' };

/** Maps a channel's locale tag (fr-FR, ar-EG, fa-AF, prs...) to one of our languages, if any. */
export function languageFromLocaleTag(tag: string | undefined | null): LanguageCode | undefined {
  if (!tag) return undefined;
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
  if (isLanguageCode(primary)) return primary;
  return TAG_ALIASES[primary];
}
