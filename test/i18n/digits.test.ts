// One digit script in every message: Latin digits everywhere (the options' numbers, dates, times,
// counts), so that a Dari or Pashto message never mixes ۷ and 7. People may still answer in their
// own digits (the recognizers read them); only what the bot writes is checked here.
import { LANGUAGE_CODES } from '../../bot/i18n/languages';
import { readTranslations } from '../../bot/i18n/translator';
import { flatTranslations } from '../../bot/voice/recordings';
import { ask } from '../../cards/messages';
import { formatDateTime, formatTimeRange } from '../../cards/format';

const OTHER_DIGITS = /[\u0660-\u0669\u06F0-\u06F9\u1369-\u137C]/;
/** Word lists ("a|b|c") and the recognizers' words are what people type, not what the bot writes. */
const isWritten = (key: string, text: string) => !text.includes('|') && !/^(recognize|keywords)\./.test(key);

test.each(LANGUAGE_CODES)('%s: no text the bot writes has non-Latin digits', (code) => {
  const mixed = [...flatTranslations(readTranslations(code))].filter(
    ([key, text]) => isWritten(key, text) && OTHER_DIGITS.test(text),
  );
  expect(mixed).toEqual([]);
});

test.each(LANGUAGE_CODES)('%s: dates, times and option numbers come in Latin digits', (code) => {
  const at = new Date('2026-12-17T08:30:00Z');
  const written = [
    formatDateTime(at, code, 'Europe/Paris'),
    formatTimeRange(at, new Date('2026-12-17T16:45:00Z'), code, 'Europe/Paris'),
    ask(code, 'q', [{ label: 'a' }, { label: 'b' }, { label: 'c' }]).text!,
  ].join('\n');
  expect(written).not.toMatch(OTHER_DIGITS);
  expect(written).toMatch(/\d/);
});

test('the check sees Persian and Arabic-Indic digits', () => {
  expect(OTHER_DIGITS.test('۷ روز')).toBe(true);
  expect(OTHER_DIGITS.test('٣')).toBe(true);
  expect(OTHER_DIGITS.test('7 days')).toBe(false);
});
