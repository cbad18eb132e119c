// What the bot says in French and the language list, as the person reads them: one copy for the
// dialog tests and the browser tests (the expected texts, written by hand, not read from the locales).

/** The first and the most asked lines in French. */
export const FR_GREETING = 'Bonjour ! Je suis Passerelle.';
export const FR_MENU_QUESTION = 'Que voulez-vous faire ?';
export const FR_LANGUAGE_QUESTION = 'Choisissez votre langue.';

/** The lines under a numbered question in French that has a way back to the menu. */
export const FR_SEND_A_NUMBER = ['Envoyez un numéro.', '0 = menu'];

/** The main menu's options in French. */
export const FR_MENU = [
  '1. Ateliers',
  '2. Mon travail',
  '3. Un problème',
  '4. Mon agenda',
  '5. Écrire au conseiller',
  '6. Langue',
];

/** Arabic: the greeting, the word that the language changed, and the main menu. */
export const AR_GREETING = 'مرحبا! أنا باسريل.';
export const AR_CHANGED = 'حسنا. الآن أتكلم العربية.';
export const AR_MENU_QUESTION = 'ماذا تريد أن تفعل؟';
export const AR_MENU = ['1. الورشات', '2. عملي', '3. مشكلة', '4. مواعيدي', '5. الكتابة إلى مرشدي', '6. اللغة'];

/** The greeting in Dari. */
export const FA_GREETING = 'سلام! من پاسرل هستم.';

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
