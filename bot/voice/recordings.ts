// Recorded prompts: community interpreters record the fixed messages of a language, one file per
// translation key, locales/<lng>/audio/<key>.ogg (Ogg/Opus, mono: `npm run voice:import` checks and
// converts them). A sentence of a reply is heard from its recording when its text is exactly the
// text of a recorded key; messages with a placeholder (a name, a date) have no recording.
import fs from 'node:fs';
import path from 'node:path';
import { localesDir, readTranslations, type Translations } from '../i18n/translator';
import { LANGUAGE_CODES, LANGUAGES, type LanguageCode } from '../i18n/languages';
import { sentenceKey, speakable } from './spokenText';

export const audioDir = (code: LanguageCode, root = localesDir) => path.join(root, code, 'audio');

/** Every key of a translation file with its text ("a.b.c" -> text). */
export function flatTranslations(tree: Translations, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else if (v && typeof v === 'object')
      for (const [kk, vv] of flatTranslations(v as Translations, key)) out.set(kk, vv);
  }
  return out;
}

/** The numbers a spoken menu says ("say or send 3"): one recording each. */
const SPOKEN_NUMBERS = [1, 2, 3, 4, 5, 6, 7, 8, 9];

/**
 * The recordings a person can hear, by file name (without .ogg) -> text: the fixed texts (no
 * placeholder) and, for a text whose only placeholder is {{number}}, one per number
 * ("voice.press@3"); not word lists for recognition ("a|b|c"), not the staff's words (dashboard, api).
 */
export function recordableKeys(code: LanguageCode): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, text] of flatTranslations(readTranslations(code))) {
    if (/^(dashboard|api|keywords|recognize)\./.test(key) || text.includes('|')) continue;
    const placeholders = text.match(/\{\{[^}]*\}\}/g) ?? [];
    if (!placeholders.length) out.set(key, text);
    else if (placeholders.every((p) => p === '{{number}}'))
      for (const n of SPOKEN_NUMBERS) out.set(`${key}@${n}`, text.replaceAll('{{number}}', String(n)));
  }
  return out;
}

export class Recordings {
  /** per language: a sentence's comparison key -> the recording's file */
  private readonly bySentence = new Map<LanguageCode, Map<string, string>>();
  /** a recording's file -> when it was written (read with the index: part of a clip's cache key) */
  private readonly written = new Map<string, number>();
  /** per language: the comparison keys of every fixed text (recorded or not) */
  private readonly fixed = new Map<LanguageCode, Set<string>>();

  constructor(private readonly root = localesDir) {
    this.reload();
  }

  /** Reads the audio folders again (after an import). */
  reload(): void {
    for (const code of LANGUAGE_CODES) {
      const dir = audioDir(code, this.root);
      const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.ogg')) : [];
      const index = new Map<string, string>();
      const texts = recordableKeys(code);
      // (The languages' own names are fixed too: the language list is the same for everyone.)
      const lines = [...[...texts.values()].flatMap((t) => t.split('\n')), ...LANGUAGES.map((l) => l.nativeName)];
      this.fixed.set(code, new Set(lines.map((t) => sentenceKey(speakable(t, code)))));
      for (const file of files) {
        const text = texts.get(file.slice(0, -'.ogg'.length));
        // Each line of a key's text is a sentence of a reply: a one-line text only.
        if (!text || text.includes('\n')) continue;
        const full = path.join(dir, file);
        index.set(sentenceKey(speakable(text, code)), full);
        this.written.set(full, fs.statSync(full).mtimeMs);
      }
      this.bySentence.set(code, index);
    }
  }

  /** The recording of a sentence, if an interpreter recorded it. */
  find(code: LanguageCode, sentence: string): string | undefined {
    return this.bySentence.get(code)?.get(sentenceKey(sentence));
  }

  /** When a recording was written, as the index read it (a new recording makes new clips). */
  writtenAt(file: string): number {
    return this.written.get(file) ?? 0;
  }

  /** Whether a sentence is one of the fixed texts (no name, no date in it): safe to keep and share. */
  isFixed(code: LanguageCode, sentence: string): boolean {
    return this.fixed.get(code)?.has(sentenceKey(sentence)) ?? false;
  }

  count(code: LanguageCode): number {
    return this.bySentence.get(code)?.size ?? 0;
  }
}
