// One sample per language for tests (and benches) that register people in all eight languages.
import type { LanguageCode } from '../../bot/i18n/languages';

/** A first name in each language's script. */
export const FIRST_NAMES: Record<LanguageCode, string> = {
  fr: 'Claire',
  en: 'Grace',
  ar: 'أمينة',
  fa: 'مریم',
  ps: 'ملالۍ',
  ti: 'ሰላም',
  ru: 'Ольга',
  uk: 'Оксана',
};

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
