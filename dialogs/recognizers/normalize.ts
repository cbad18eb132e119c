// Text normalisation for matching answers: case, accents, digit scripts and the Arabic-script
// letter variants that differ between Arabic, Persian and Pashto keyboards.

const DIGITS: Record<string, string> = {};
for (let i = 0; i <= 9; i++) {
  DIGITS[String.fromCharCode(0x0660 + i)] = String(i); // Arabic-Indic ٠-٩
  DIGITS[String.fromCharCode(0x06f0 + i)] = String(i); // Persian ۰-۹
}
for (let i = 1; i <= 9; i++) DIGITS[String.fromCharCode(0x1368 + i)] = String(i); // Ethiopic ፩-፱
DIGITS['\u1372'] = '10'; // Ethiopic ፲

const LETTERS: Record<string, string> = {
  ي: 'ی',
  ى: 'ی',
  ئ: 'ی',
  ۍ: 'ی',
  ې: 'ی', // yeh forms
  ك: 'ک', // kaf
  أ: 'ا',
  إ: 'ا',
  آ: 'ا',
  ٱ: 'ا', // alef forms
  ة: 'ه',
  ۀ: 'ه', // teh marbuta, heh with yeh
  ؤ: 'و',
  ё: 'е', // Russian yo
  ʼ: "'",
  '’': "'",
  '‘': "'", // apostrophes (Ukrainian uses ʼ)
};

/** Converts Arabic-Indic, Persian and Ethiopic digits to Latin ones. */
export function latinDigits(text: string): string {
  return text.replace(/[\u0660-\u0669\u06f0-\u06f9\u1369-\u1372]/g, (d) => DIGITS[d] ?? d);
}

/** Lower case, no accents or Arabic diacritics, unified letter variants, single spaces. */
export function normalize(text: string): string {
  return (
    latinDigits(text)
      .normalize('NFKD')
      .replace(/\p{M}/gu, '') // accents, harakat; NFKD first so é -> e
      // eslint-disable-next-line no-misleading-character-class -- each joiner or mark alone is removed
      .replace(/[\u200c\u200d\u200e\u200f\u0640\ufe0f]/g, '') // ZWNJ/ZWJ, direction marks, tatweel, emoji style
      .replace(/[\u{1f3fb}-\u{1f3ff}\u2640\u2642]/gu, '') // skin tones and genders: 👍🏽 is 👍, 🙅‍♂️ is 🙅
      .toLowerCase()
      .replace(/./gu, (c) => LETTERS[c] ?? c)
      .replace(/[\s\u00a0]+/g, ' ')
      .trim()
  );
}

/** The words of a normalised text, without punctuation. */
export function words(normalized: string): string[] {
  return normalized
    .replace(/[.,;:!?¿¡()[\]{}«»"“”#*_\-–—/\\؟،؛።፣፤፥፦]/g, ' ')
    .split(' ')
    .filter(Boolean);
}

/**
 * Longest text read as an answer to a question with options (a number, a yes or a no, a label):
 * longer ones are free text, never an option. This also bounds the recognizers' work: Microsoft's
 * take about a second on 10,000 characters, blocking every other conversation meanwhile.
 */
export const MAX_ANSWER_CHARS = 200;
