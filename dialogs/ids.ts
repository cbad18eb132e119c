// Dialog ids, shared so that dialogs can start each other without importing each other.
export const MAIN_DIALOG = 'main';
export const LANGUAGE_DIALOG = 'language';
