// Translation keys are typed from the French file (the source): a misspelt key fails the type check.
import 'i18next';
import type fr from '../../locales/fr/translation.json';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof fr };
  }
}
