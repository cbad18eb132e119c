// Shared by the translators' scripts (i18n-export, i18n-import): the locale files as flat keys, the
// context of a key (locales/context.json), and the checks a translated text must pass.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const LANGUAGES = ['fr', 'en', 'ar', 'fa', 'ps', 'ti', 'ru', 'uk'];
export const COLUMNS = ['key', 'context', 'French', 'current text', 'length limit'];

// The script most letters of a text must be written in (brand names and abbreviations such as PDF may
// stay in Latin letters).
export const SCRIPTS = {
  fr: 'Latin',
  en: 'Latin',
  ar: 'Arabic',
  fa: 'Arabic',
  ps: 'Arabic',
  ti: 'Ethiopic',
  ru: 'Cyrillic',
  uk: 'Cyrillic',
};

const PLURAL = /_(zero|one|two|few|many|other)$/;
export const pluralBase = (key) => key.replace(PLURAL, '');
export const pluralCategory = (key) => PLURAL.exec(key)?.[1];

export function localeFile(localesDir, lang) {
  return path.join(localesDir, lang, 'translation.json');
}

export function readLeaves(localesDir, lang) {
  return leaves(JSON.parse(fs.readFileSync(localeFile(localesDir, lang), 'utf8')));
}

export function leaves(tree, prefix = '', out = new Map()) {
  for (const [key, value] of Object.entries(tree)) {
    if (value && typeof value === 'object') leaves(value, `${prefix}${key}.`, out);
    else out.set(`${prefix}${key}`, String(value));
  }
  return out;
}

export function readContext(localesDir) {
  return JSON.parse(fs.readFileSync(path.join(localesDir, 'context.json'), 'utf8'));
}

/** The placeholders of a text ({{name}}, {{count, number}}), sorted. */
export function placeholders(text) {
  return [...new Set([...text.matchAll(/\{\{\s*([\w.]+)\s*(?:,[^}]*)?\}\}/g)].map((m) => m[1]))].sort();
}

/** The plural categories of a language (CLDR, as Intl knows them), e.g. ps: one, other. */
export function pluralCategories(lang) {
  const order = ['zero', 'one', 'two', 'few', 'many', 'other'];
  return [...new Intl.PluralRules(lang).resolvedOptions().pluralCategories].sort(
    (a, b) => order.indexOf(a) - order.indexOf(b),
  );
}

/** A few numbers that take a plural category, for the translator: ru few → "2, 3, 4". */
function examples(lang, category) {
  const rules = new Intl.PluralRules(lang);
  const found = [];
  for (const n of [...Array(111).keys(), 1000000, 1.5]) {
    if (rules.select(n) === category && found.length < 4) found.push(n);
  }
  return found.join(', ');
}

/**
 * The rows of a language, in the order of the French file: each key of French, and for a plural key
 * one row per plural category of the language (its French text: the same category's, else "other").
 */
export function expectedRows(french, lang) {
  const rows = [];
  const seen = new Set();
  for (const key of french.keys()) {
    if (!pluralCategory(key)) {
      rows.push({ key, french: french.get(key) });
      continue;
    }
    const base = pluralBase(key);
    if (seen.has(base)) continue;
    seen.add(base);
    for (const category of pluralCategories(lang)) {
      const text = french.get(`${base}_${category}`) ?? french.get(`${base}_other`);
      rows.push({ key: `${base}_${category}`, french: text, base, category });
    }
  }
  return rows;
}

/** The context entry of a key: its own (or its plural base's), else the longest prefix "a.b.*", else "*". */
export function contextOf(context, key) {
  const keys = context.keys ?? {};
  const base = pluralBase(key);
  if (keys[key]) return keys[key];
  if (keys[base]) return keys[base];
  const parts = base.split('.');
  for (let n = parts.length - 1; n > 0; n--) {
    const entry = keys[`${parts.slice(0, n).join('.')}.*`];
    if (entry) return entry;
  }
  return keys['*'] ?? {};
}

/** A list of words for recognition ("a|b|c"), never shown: no script or length check. */
export function isWordList(entry, french) {
  return french.includes('|') && !entry.perItem;
}

/** The context column of the CSV: where it is shown, its placeholders, its plural form, a note. */
export function contextText(context, row, lang) {
  const entry = contextOf(context, row.key);
  const parts = [entry.shown ?? ''];
  if (isWordList(entry, row.french) && !/\|/.test(entry.shown ?? '')) {
    parts.push('Words separated by | (never shown).');
  }
  const names = placeholders(row.french);
  if (names.length) {
    const meaning = (n) => (context.placeholders?.[n] ? `{{${n}}} = ${context.placeholders[n]}` : `{{${n}}}`);
    parts.push(`Keep exactly: ${names.map(meaning).join('; ')}.`);
  }
  if (row.category) {
    parts.push(`Plural form "${row.category}": for ${examples(lang, row.category)}…`);
  }
  if (entry.note) parts.push(entry.note);
  return parts.filter(Boolean).join(' ');
}

/** The limit shown in the CSV: "17", or "25 each" for a |-separated list of buttons. */
export function limitText(entry) {
  if (!entry.maxLength) return '';
  return entry.perItem ? `${entry.maxLength} each` : String(entry.maxLength);
}

/** Why a text is too long for where it is shown, or undefined. Counted in UTF-16 units, as Meta counts. */
export function lengthProblem(entry, text) {
  if (!entry.maxLength) return undefined;
  const items = (entry.perItem ? text.split('|') : [text]).map((t) => t.trim());
  const long = items.filter((t) => t.length > entry.maxLength);
  if (!long.length) return undefined;
  return `longer than ${entry.maxLength} characters: ${long.map((t) => `"${t}" (${t.length})`).join(', ')}`;
}

const LETTER = /\p{L}/gu;
const SCRIPT_LETTER = {
  Latin: /\p{Script=Latin}/u,
  Arabic: /\p{Script=Arabic}/u,
  Ethiopic: /\p{Script=Ethiopic}/u,
  Cyrillic: /\p{Script=Cyrillic}/u,
};

/** Why a text is not (mostly) in its language's script, or undefined. Placeholders do not count. */
export function scriptProblem(lang, text) {
  const script = SCRIPTS[lang];
  const letters = text.replace(/\{\{[^}]*\}\}/g, '').match(LETTER) ?? [];
  if (!letters.length) return undefined;
  const inScript = letters.filter((l) => SCRIPT_LETTER[script].test(l)).length;
  if (inScript * 2 > letters.length) return undefined;
  return `most letters are not in the ${script} script (${inScript} of ${letters.length})`;
}

/**
 * Changes locales/<lang>/translation.json under its lock file (i18n:merge, i18n:import and anyone
 * else who writes it wait for each other), written whole then renamed: a reader never sees half.
 */
export function updateLocaleFile(localesDir, lang, change) {
  const target = localeFile(localesDir, lang);
  const lock = `${target}.lock`;
  const deadline = Date.now() + 10000;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx'));
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${lock} is held: remove it if no merge is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  try {
    const tree = JSON.parse(fs.readFileSync(target, 'utf8'));
    change(tree);
    fs.writeFileSync(`${target}.tmp`, `${JSON.stringify(tree, null, 2)}\n`);
    fs.renameSync(`${target}.tmp`, target);
  } finally {
    fs.unlinkSync(lock);
  }
}

/** Writes texts ("a.b.c" -> text): an existing key keeps its place, a new one goes at the end of its object. */
export function writeTexts(localesDir, lang, texts) {
  updateLocaleFile(localesDir, lang, (tree) => {
    for (const [key, text] of texts) {
      const parts = key.split('.');
      let node = tree;
      for (const part of parts.slice(0, -1)) {
        if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
        node = node[part];
      }
      node[parts.at(-1)] = text;
    }
  });
}
