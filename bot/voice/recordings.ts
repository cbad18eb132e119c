// Recorded prompts: community interpreters record the fixed messages of a language, one file per
// translation key, locales/<lng>/audio/<key>.ogg (Ogg/Opus, mono: `npm run voice:import` checks and
// converts them). A sentence of a reply is heard from its recording when its text is exactly the
// text of a recorded key; messages with a placeholder (a name, a date) have no recording.
import fs from 'node:fs';
import path from 'node:path';
import { localesDir, readTranslations, type Translations } from '../i18n/translator';
import { LANGUAGE_CODES, type LanguageCode } from '../i18n/languages';
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

/**
 * The keys a person can hear as a recording: fixed texts (no placeholder), not word lists for
 * recognition ("a|b|c"), not the dashboard's or the API's words (staff read them).
 */
export function recordableKeys(code: LanguageCode): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, text] of flatTranslations(readTranslations(code))) {
    if (/^(dashboard|api)\./.test(key) || text.includes('{{') || text.includes('|')) continue;
    if (/\.(words|synonyms|keywords)$|_words$/.test(key)) continue;
    out.set(key, text);
  }
  return out;
}

export class Recordings {
  /** per language: a sentence's comparison key -> the recording's file */
  private readonly bySentence = new Map<LanguageCode, Map<string, string>>();

  constructor(private readonly root = localesDir) {
    this.reload();
  }

  /** Reads the audio folders again (after an import). */
  reload(): void {
    for (const code of LANGUAGE_CODES) {
      const dir = audioDir(code, this.root);
      const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.ogg')) : [];
      const index = new Map<string, string>();
      if (files.length) {
        const texts = recordableKeys(code);
        for (const file of files) {
          const text = texts.get(file.slice(0, -'.ogg'.length));
          // Each line of a key's text is a sentence of a reply: a one-line text only.
          if (text && !text.includes('\n')) index.set(sentenceKey(speakable(text, code)), path.join(dir, file));
        }
      }
      this.bySentence.set(code, index);
    }
  }

  /** The recording of a sentence, if an interpreter recorded it. */
  find(code: LanguageCode, sentence: string): string | undefined {
    return this.bySentence.get(code)?.get(sentenceKey(sentence));
  }

  count(code: LanguageCode): number {
    return this.bySentence.get(code)?.size ?? 0;
  }
}
