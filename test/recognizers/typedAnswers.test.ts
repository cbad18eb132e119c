// Issue 15, section 2: answers typed the way people type. The rules behind the corpus
// (corpus.test.ts), each on its own: Latin letters, a phrase beating a word inside it, ambiguous
// words, repeated letters.
import { readRecordingAnswer, UNCLEAR } from '../../dialogs/answers/recordingAnswer';
import { yesNoQuestion } from '../../dialogs/prompts/yesNoQuestion';
import { globalCommand } from '../../dialogs/recognizers/keywords';
import { readYesNo, readYesNoOrUnsure } from '../../dialogs/recognizers/yesNo';

test('yes and no in Latin letters, in the person language and alone in any other', () => {
  for (const [text, locale, said] of [
    ['bale', 'fa', 'yes'],
    ['naam', 'ar', 'yes'],
    ['ewe', 'ti', 'yes'],
    ['la2', 'ar', 'no'],
    ['ho', 'ps', 'yes'],
    ['yaw', 'ps', 'yes'], // "one": option 1
    ['na', 'ps', 'no'],
    ['nah', 'fa', 'no'],
    ['hray', 'ti', 'yes'],
    ['ayfal', 'ti', 'no'],
    ['da', 'ru', 'yes'],
    ['net', 'ru', 'no'],
    ['tak', 'uk', 'yes'],
    ['ni', 'uk', 'no'],
    ['naam', 'fr', 'yes'], // alone, a word of any language counts
    ['naam ana mwafe2', 'ar', 'yes'],
  ] as const)
    expect([text, locale, readYesNo(text, locale)]).toEqual([text, locale, said]);
});

test('short Latin words of another language are ordinary words inside a sentence; longer ones keep it unclear', () => {
  expect(readYesNo('la', 'fr')).toBe('no'); // alone: Arabic "no"
  expect(readYesNo('je viens à la réunion', 'fr')).toBeUndefined();
  expect(readYesNo('la première', 'fr')).toBe('yes'); // option 1
  expect(readYesNo('ok la', 'ar')).toBe('unclear'); // "la" is the person's own "no"
  expect(readYesNo('I fly to Bali', 'en')).toBe('unclear');
  const q = yesNoQuestion('fr', 'Vous venez ?', { yes: 'Oui, je viens', no: 'Non' }, ['confirm', 'decline']);
  expect(readRecordingAnswer('oui je viens à la réunion', q, 'fr', ['decline'])).toBe('confirm');
  expect(readRecordingAnswer('I fly to Bali', q, 'en', ['decline'])).toBe(UNCLEAR);
});

test('a whole phrase beats a word inside it', () => {
  for (const [text, locale] of [
    ['غير موافق', 'ar'],
    ['مش موافق', 'ar'],
    ['درست نیست', 'fa'],
    ['خوب نیست', 'fa'],
    ['not correct', 'en'],
    ['of course not', 'en'],
    ['pas du tout', 'fr'],
    ['конечно нет', 'ru'],
    ['звісно ні', 'uk'],
    ['سم نه دی', 'ps'],
    ['dorost nist', 'fa'],
  ] as const)
    expect([text, readYesNo(text, locale)]).toEqual([text, 'no']);
});

test('ambiguous words: اي is no yes, French "ne" and a bare "не" no no; "I don\'t know" is its own answer', () => {
  expect(readYesNo('اي', 'ar')).toBeUndefined();
  expect(readYesNo('ne', 'fr')).toBe('unclear');
  expect(readYesNo('не', 'ru')).toBe('unclear');
  for (const [text, locale] of [
    ['je ne sais pas', 'fr'],
    ['не знаю', 'ru'],
    ['I don’t know', 'en'],
    ['نمی‌دانم', 'fa'],
    ['لا أعرف', 'ar'],
    ['ne znayu', 'ru'],
    ['nemidanam', 'fa'],
  ] as const) {
    expect([text, readYesNoOrUnsure(text, locale)]).toEqual([text, 'unsure']);
    expect([text, readYesNo(text, locale)]).toEqual([text, 'unclear']); // asked again, as before
  }
  expect(readYesNoOrUnsure('ne', 'fr')).toBe('unclear');
});

test('a letter typed again and again is read once', () => {
  const typed = {
    yes: [
      ['ouiii', 'fr'],
      ['yesss', 'en'],
      ['نعممم', 'ar'],
    ],
    no: [
      ['nooon', 'fr'],
      ['لااا', 'ar'],
      ['нееет', 'ru'],
    ],
  } as const;
  for (const [said, answers] of Object.entries(typed))
    for (const [text, locale] of answers) expect([text, readYesNo(text, locale)]).toEqual([text, said]);
  expect(readYesNo('noon', 'en')).toBeUndefined(); // a double letter inside a word stays
});

test('menu and help in Latin letters, as the keyword alone', () => {
  for (const word of ['qaima', 'meno', 'mino', 'menyu', 'meniu'])
    expect([word, globalCommand(word)]).toEqual([word, 'menu']);
  for (const word of ['musaada', 'komak', 'mrasta', 'hagez', 'pomosh', 'dopomoha'])
    expect([word, globalCommand(word)]).toEqual([word, 'help']);
  expect(globalCommand('komak please')).toBeUndefined(); // the keyword alone only
});
