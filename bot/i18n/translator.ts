// Translations: i18next with locales/<lang>/translation.json. French is the source language and
// the fallback. Loaded once, synchronously, at start-up.
import fs from 'node:fs';
import path from 'node:path';
import i18next, { type TFunction } from 'i18next';
import { LANGUAGE_CODES, type LanguageCode } from './languages';
import { projectRoot } from '../runtime/paths';

export type { TFunction };
export type Translations = Record<string, unknown>;

export const localesDir = path.join(projectRoot, 'locales');

export function readTranslations(code: LanguageCode): Translations {
  return JSON.parse(fs.readFileSync(path.join(localesDir, code, 'translation.json'), 'utf8'));
}

const i18n = i18next.createInstance();
void i18n.init({
  resources: Object.fromEntries(LANGUAGE_CODES.map((c) => [c, { translation: readTranslations(c) }])),
  lng: 'fr',
  fallbackLng: 'fr',
  supportedLngs: [...LANGUAGE_CODES],
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
  showSupportNotice: false,
});

/**
 * A language's translation function, remembering the texts of keys asked without values: a turn
 * asks for a few dozen (labels, option lines, their spoken forms), and i18next resolves each one
 * afresh (namespaces, fallbacks, plurals, nesting), about 5 % of a turn's CPU. The resources never
 * change once loaded, so a key's text without values is the same every time.
 */
export function remembering(t: TFunction): TFunction {
  const translate = t as unknown as (...args: unknown[]) => unknown;
  const texts = new Map<string, unknown>();
  return ((key: unknown, ...rest: unknown[]) => {
    if (rest.length || typeof key !== 'string') return translate(key, ...rest);
    let text = texts.get(key);
    if (text === undefined) texts.set(key, (text = translate(key)));
    return text;
  }) as unknown as TFunction;
}

const fixed = new Map<LanguageCode, TFunction>(LANGUAGE_CODES.map((c) => [c, remembering(i18n.getFixedT(c))]));

/** The translation function of a language. */
export function translator(code: LanguageCode): TFunction {
  return fixed.get(code)!;
}

/**
 * The text of a key made at run time (a payload's key, a key built from data): the key's type is
 * not checked, unlike translator's literal keys (bot/i18n/translationKeys.d.ts); the key itself when
 * the locale files lack it.
 */
export function textOf(code: LanguageCode, key: string, values?: Record<string, unknown>): string {
  const t = fixed.get(code)! as unknown as (key: string, values?: Record<string, unknown>) => string;
  // (without values, the remembered text: wordList's keys are read on every turn)
  return values ? t(key, values) : t(key);
}

/** A "a|b|c" list of words from the locale files, for recognition. */
export function wordList(code: LanguageCode, key: string): string[] {
  const value = textOf(code, key);
  return value === key
    ? []
    : value
        .split('|')
        .map((w) => w.trim())
        .filter(Boolean);
}
