// One sample per language for tests (and benches) that register people in all eight languages.
import type { LanguageCode } from '../../bot/i18n/languages';

/** A first name in each language's script (the benchmarks use them too). */
export { FIRST_NAMES } from '../../bench/firstNames';

/**
 * The language code of the approved WhatsApp templates for each language, as expected by the tests
 * (Tigrinya has none: English).
 */
export const TEMPLATE_LANGUAGE: Record<LanguageCode, string> = {
  fr: 'fr',
  en: 'en',
  ar: 'ar',
  fa: 'prs_AF',
  ps: 'ps_AF',
  ti: 'en',
  ru: 'ru',
  uk: 'uk',
};
