// What a reply says aloud: sentences from the SSML, references character by character, French
// times in words, no pictographs.
import { ask, say } from '../../cards/messages';
import { sentenceKey, speakable, spokenSentences } from '../../bot/voice/spokenText';

test.each([
  { locale: 'fr', sentence: 'Votre référence : B-4821.', heard: 'Votre référence : B 4 8 2 1.' },
  { locale: 'fr', sentence: 'Mardi 3 mars, 9 h 30.', heard: 'Mardi 3 mars, 9 heures 30.' },
  { locale: 'fr', sentence: 'Rendez-vous à 14 h.', heard: 'Rendez-vous à 14 heures.' },
  { locale: 'en', sentence: 'At 9 h 30', heard: 'At 9 h 30' },
  { locale: 'fr', sentence: '🌐 6 = Langue ✅', heard: '6 = Langue' },
  { locale: 'ar', sentence: 'رقم \u2066B-12\u2069 هنا', heard: 'رقم B 1 2 هنا' },
] as const)('$locale: $sentence', ({ locale, sentence, heard }) => {
  expect(speakable(sentence, locale)).toBe(heard);
});

test("a question's sentences: the intro, each option with its number, the hints", () => {
  const m = ask('fr', 'Que voulez-vous faire ?', [{ label: 'Ateliers' }, { label: "L'agenda & moi" }], ['Envoyez 0.']);
  expect(spokenSentences(m.speak, m.text, 'fr')).toEqual([
    'Que voulez-vous faire ?',
    'Ateliers.',
    'Dites ou envoyez 1.',
    "L'agenda & moi.",
    'Dites ou envoyez 2.',
    'Envoyez 0.',
  ]);
});

test('without SSML, the lines of the text; empty lines and pictographs alone are not said', () => {
  expect(spokenSentences(undefined, 'Bonjour\n\n👋\nÀ demain', 'fr')).toEqual(['Bonjour', 'À demain']);
  expect(spokenSentences(say('fr', 'Un.', 'Deux.').speak, undefined, 'fr')).toEqual(['Un.', 'Deux.']);
});

test('sentences compare for recordings without case, spacing or end punctuation', () => {
  expect(sentenceKey('Que voulez-vous  faire ?')).toBe(sentenceKey('que voulez-vous faire'));
  expect(sentenceKey('ሰላም።')).toBe(sentenceKey('ሰላም'));
});
