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
 * i18next's options, not words of the text: a value under one of these names changes which text
 * is chosen, so a call with such a value as a string is never remembered.
 */
const OPTION_NAMES = new Set([
  'count',
  'context',
  'ordinal',
  'lng',
  'lngs',
  'ns',
  'defaultValue',
  'returnObjects',
  'returnDetails',
  'joinArrays',
  'keyPrefix',
  'replace',
  'interpolation',
  'postProcess',
  'fallbackLng',
  'nsSeparator',
  'keySeparator',
  'skipInterpolation',
]);

/** A text with words put in at run time: its pieces, with the index of the word between two. */
interface Template {
  pieces: string[];
  words: number[];
}

/** Marks where the i-th word goes in i18next's text (characters no translation holds). */
const marker = (i: number) => `\u0002${i}\u0003`;
// eslint-disable-next-line no-control-regex -- the markers are control characters on purpose
const MARKERS = /\u0002(\d+)\u0003/;

/**
 * A language's translation function that remembers what i18next makes: a turn asks for a few
 * dozen texts (labels, option lines, their spoken forms), and i18next resolves each one afresh
 * (namespaces, fallbacks, plurals, interpolation; with values, a copy of all its options per
 * call), 5-9 % of a turn's CPU. The resources never change once loaded, so:
 * - a key without values, or with numbers only (an option's number, a count, a year), gives the
 *   same text each time: it is remembered;
 * - with words too (a name, a place, a time), i18next makes the text once with a marker in place
 *   of each word, and the words are put in at the markers at each call: the same text as
 *   i18next's (which puts a value in as it is: escapeValue is off, and no text formats its words).
 */
export function remembering(t: TFunction): TFunction {
  const translate = t as unknown as (...args: unknown[]) => unknown;
  const texts = new Map<string, unknown>();
  const templates = new Map<string, Template | null>();
  return ((key: unknown, ...rest: unknown[]) => {
    const shape = typeof key === 'string' ? shapeOf(key, rest) : undefined;
    if (shape === undefined) return translate(key, ...rest);
    if (!shape.words) {
      let text = texts.get(shape.id);
      if (text === undefined) {
        if (texts.size >= REMEMBERED_TEXTS) texts.clear();
        texts.set(shape.id, (text = translate(key, ...rest)));
      }
      return text;
    }
    const values = rest[0] as Record<string, unknown>;
    let template = templates.get(shape.id);
    if (template === undefined) {
      if (templates.size >= REMEMBERED_TEXTS) templates.clear();
      const marked = { ...values };
      shape.words.forEach((name, i) => (marked[name] = marker(i)));
      templates.set(shape.id, (template = templateOf(translate(key, marked))));
    }
    return template ? filled(template, shape.words, values) : translate(key, ...rest);
  }) as unknown as TFunction;
}

/**
 * What a text depends on besides its words: the key and its numbers (`id`), and the names of its
 * words in order; undefined when the text is not to be remembered (other arguments, values that
 * are no words nor numbers, or an option of i18next's given as a string).
 */
function shapeOf(key: string, rest: unknown[]): { id: string; words?: string[] } | undefined {
  if (!rest.length) return { id: key };
  const values = rest[0];
  if (rest.length > 1 || !values || typeof values !== 'object' || Array.isArray(values)) return undefined;
  let id = key;
  let words: string[] | undefined;
  for (const name in values) {
    const value = (values as Record<string, unknown>)[name];
    if (typeof value === 'number' || typeof value === 'boolean') id += `\u0000${name}=${value}`;
    else if (typeof value === 'string' && !OPTION_NAMES.has(name)) {
      id += `\u0000${name}`;
      (words ??= []).push(name);
    } else return undefined;
  }
  return { id, words };
}

/** i18next's text split at the markers; null when it is no string or a marker came out cut. */
function templateOf(text: unknown): Template | null {
  if (typeof text !== 'string') return null;
  const split = text.split(MARKERS);
  const pieces: string[] = [];
  const words: number[] = [];
  split.forEach((piece, i) => (i % 2 ? words.push(Number(piece)) : pieces.push(piece)));
  // (a marker cut by the text, say by a length limit, would leave a stray character)
  return pieces.some((piece) => piece.includes('\u0002') || piece.includes('\u0003')) ? null : { pieces, words };
}

function filled(template: Template, names: string[], values: Record<string, unknown>): string {
  let text = template.pieces[0];
  for (let i = 0; i < template.words.length; i++)
    text += (values[names[template.words[i]]] as string) + template.pieces[i + 1];
  return text;
}

const fixed = new Map<LanguageCode, TFunction>(LANGUAGE_CODES.map((c) => [c, remembering(i18n.getFixedT(c))]));

/** The translation function of a language. */
export function translator(code: LanguageCode): TFunction {
  return fixed.get(code)!;
}

/** i18next's own translation function of a language, remembering nothing (to check translator against). */
export function i18nextTranslator(code: LanguageCode): TFunction {
  return i18n.getFixedT(code);
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
