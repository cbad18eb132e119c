// What a reply says aloud: the sentences of its `speak` SSML (cards put a <break/> between them),
// as plain text a synthesizer reads well: references spelt out character by character, French
// times said as words ("9 h 30" -> "9 heures 30"), pictographs and direction marks left out.
import type { LanguageCode } from '../i18n/languages';

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos);/g, (_, name: string) => ENTITIES[name]!);
}

// A case reference such as B-4821 or AT-102: letters, a dash, digits.
const REFERENCE = /\b([A-Z]{1,3})-(\d{2,8})\b/g;
const PICTOGRAPHS = /[\p{Extended_Pictographic}\u{FE0F}\u{20E3}\u2066-\u2069\u200e\u200f]/gu;

/** One sentence as it should be heard. */
export function speakable(sentence: string, locale: LanguageCode): string {
  let text = sentence.replace(PICTOGRAPHS, ' ');
  text = text.replace(REFERENCE, (_, letters: string, digits: string) => [...letters, ...digits].join(' '));
  if (locale === 'fr')
    text = text.replace(/\b(\d{1,2}) h(?: (\d{2}))?\b/g, (_, h, m) => `${h} heures${m ? ` ${m}` : ''}`);
  return text.replace(/\s+/g, ' ').trim();
}

/** The sentences of a reply's SSML (or of its text, line by line, when it has none), ready to say. */
export function spokenSentences(speak: string | undefined, text: string | undefined, locale: LanguageCode): string[] {
  const body = speak?.match(/<speak\b[^>]*>([\s\S]*)<\/speak>/)?.[1];
  const parts = body
    ? body.split(/<break\b[^>]*\/>/).map((p) => unescapeXml(p.replace(/<[^>]+>/g, '')))
    : (text ?? '').split('\n');
  return parts.map((p) => speakable(p, locale)).filter((p) => /[\p{L}\p{N}]/u.test(p));
}

/** A sentence as the recordings' index compares it: case, spacing and end punctuation aside. */
export function sentenceKey(sentence: string): string {
  return sentence
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\s.!?:;,،؟።፧፨…]+$/u, '')
    .replace(/\s+/g, ' ')
    .trim();
}
