// A first name in each language's script, for the people the benchmarks (and tests) register.
import type { LanguageCode } from '../bot/i18n/languages';

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
