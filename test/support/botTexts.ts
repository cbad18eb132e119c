// What the bot says in French and the language list, as the person reads them: one copy for the
// dialog tests and the browser tests (the expected texts, written by hand, not read from the locales).

/** The main menu's options in French. */
export const FR_MENU = [
  '1. Ateliers',
  '2. Mon travail',
  '3. Un problème',
  '4. Mon agenda',
  '5. Écrire au conseiller',
  '6. Langue',
];

/** The language list, the same in every language: each language by its own name. */
export const LANGUAGE_MENU = [
  '1. Français',
  '2. English',
  '3. العربية',
  '4. دری / فارسی',
  '5. پښتو',
  '6. ትግርኛ',
  '7. Русский',
  '8. Українська',
];
