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

/** Texts remembered per language at most; past it, they are forgotten and remembered again. */
const REMEMBERED_TEXTS = 5000;

/**
 * A language's translation function, remembering the texts of keys asked without values, or with
 * numbers only (an option's number, a count, a year): a turn asks for a few dozen (labels, option
 * lines, their spoken forms), and i18next resolves each one afresh (namespaces, fallbacks, plurals,
 * nesting, interpolation), 5-9 % of a turn's CPU. The resources never change once loaded, so the
 * same key with the same numbers gives the same text. A text with words of the person's or the
 * case's (a name, a place) is never remembered: it is made every time.
 */
export function remembering(t: TFunction): TFunction {
  const translate = t as unknown as (...args: unknown[]) => unknown;
  const texts = new Map<string, unknown>();
  return ((key: unknown, ...rest: unknown[]) => {
    const id = typeof key === 'string' ? rememberedAs(key, rest) : undefined;
    if (id === undefined) return translate(key, ...rest);
    let text = texts.get(id);
    if (text === undefined) {
      if (texts.size >= REMEMBERED_TEXTS) texts.clear();
      texts.set(id, (text = translate(key, ...rest)));
    }
    return text;
  }) as unknown as TFunction;
}

/** The key and its numbers, or undefined when the text is not to be remembered. */
function rememberedAs(key: string, rest: unknown[]): string | undefined {
  if (!rest.length) return key;
  const values = rest[0];
  if (rest.length > 1 || !values || typeof values !== 'object' || Array.isArray(values)) return undefined;
  let id = key;
  for (const [name, value] of Object.entries(values)) {
    if (typeof value !== 'number' && typeof value !== 'boolean') return undefined;
    id += `\u0000${name}=${value}`;
  }
  return id;
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
