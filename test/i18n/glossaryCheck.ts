// Checks that the texts which name a glossary concept use the glossary's word for it, in every
// language (locales/glossary.json: each term's keys, and the inflected forms a language accepts).
import fs from 'node:fs';
import path from 'node:path';

export const LANGUAGES = ['fr', 'en', 'ar', 'fa', 'ps', 'ti', 'ru', 'uk'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface GlossaryTerm extends Partial<Record<Language, string>> {
  keys?: string[];
  forms?: Partial<Record<Language, string[]>>;
}
export interface Glossary {
  terms: Record<string, GlossaryTerm>;
}
export type Texts = Record<Language, Map<string, string>>;

export interface Drift {
  term: string;
  lang: Language;
  key: string;
  text: string;
}

const PLURAL = /_(zero|one|two|few|many|other)$/;

export function leaves(tree: Record<string, unknown>, prefix = '', out = new Map<string, string>()) {
  for (const [key, value] of Object.entries(tree)) {
    if (value && typeof value === 'object') leaves(value as Record<string, unknown>, `${prefix}${key}.`, out);
    else out.set(`${prefix}${key}`, String(value));
  }
  return out;
}

export function readTexts(localesDir: string): Texts {
  const read = (l: Language) =>
    leaves(JSON.parse(fs.readFileSync(path.join(localesDir, l, 'translation.json'), 'utf8')));
  return Object.fromEntries(LANGUAGES.map((l) => [l, read(l)])) as Texts;
}

/** The keys of `texts` a glossary pattern names: the key, its plural forms, or all keys under `prefix.*`. */
export function keysOf(pattern: string, keys: Iterable<string>): string[] {
  const all = [...keys];
  if (pattern.endsWith('.*')) return all.filter((k) => k.startsWith(pattern.slice(0, -1)));
  return all.filter((k) => k === pattern || k.replace(PLURAL, '') === pattern);
}

/** Patterns naming no French key (a renamed or removed key the glossary still lists). */
export function unknownKeys(glossary: Glossary, texts: Texts): string[] {
  return Object.entries(glossary.terms).flatMap(([term, t]) =>
    (t.keys ?? []).filter((p) => keysOf(p, texts.fr.keys()).length === 0).map((p) => `${term}: ${p}`),
  );
}

/** Every text that names a term's concept without the term (or an accepted form of it). */
export function glossaryDrift(glossary: Glossary, texts: Texts): Drift[] {
  const drifts: Drift[] = [];
  for (const [term, t] of Object.entries(glossary.terms)) {
    for (const lang of LANGUAGES) {
      const accepted = [t[lang], ...(t.forms?.[lang] ?? [])]
        .filter((w): w is string => !!w)
        .map((w) => w.toLocaleLowerCase(lang));
      for (const pattern of t.keys ?? []) {
        for (const key of keysOf(pattern, texts[lang].keys())) {
          const text = texts[lang].get(key)!;
          const lower = text.toLocaleLowerCase(lang);
          if (!accepted.some((w) => lower.includes(w))) drifts.push({ term, lang, key, text });
        }
      }
    }
  }
  return drifts;
}
