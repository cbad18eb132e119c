// Every text that names a glossary concept uses the glossary's word for it, in every language:
// a new or edited text cannot drift from the glossary again (issue 15: checkins and reminders had).
import path from 'node:path';
import glossaryJson from '../../locales/glossary.json';
import { glossaryDrift, LANGUAGES, readTexts, unknownKeys, type Glossary, type Texts } from './glossaryCheck';

const glossary = glossaryJson as unknown as Glossary;
const texts = readTexts(path.join(__dirname, '..', '..', 'locales'));

function withText(lang: keyof Texts, key: string, text: string): Texts {
  const copy = Object.fromEntries(LANGUAGES.map((l) => [l, new Map(texts[l])])) as Texts;
  copy[lang].set(key, text);
  return copy;
}

test('every term has a word in each of the 8 languages', () => {
  const missing = Object.entries(glossary.terms).flatMap(([term, t]) =>
    LANGUAGES.filter((l) => !t[l]?.trim()).map((l) => `${term}: ${l}`),
  );
  expect(missing).toEqual([]);
});

test('the keys the glossary lists exist', () => {
  expect(unknownKeys(glossary, texts)).toEqual([]);
});

test('the check-ins, reminders and workshops texts are covered', () => {
  const listed = new Set(Object.values(glossary.terms).flatMap((t) => t.keys ?? []));
  for (const key of ['checkins.noted', 'checkins.helpComing', 'checkins.reportQuestion', 'reminders.workshop'])
    expect(listed).toContain(key);
  for (const key of ['reminders.shift', 'reminders.which', 'workshops.menu.question', 'workshops.list.question'])
    expect(listed).toContain(key);
});

test('every text naming a concept uses its glossary word, in every language', () => {
  expect(glossaryDrift(glossary, texts)).toEqual([]);
});

describe('a drift is caught', () => {
  test.each([
    ['ar', 'checkins.noted', 'شكرًا. مستشارك سيقرأ رسالتك.', 'adviser (CIP)'],
    ['fa', 'reminders.workshop', 'کارگاه: {{title}}، {{time}}، {{place}}.', 'workshop'],
    ['fa', 'reminders.which', 'به کدام قرار نمی‌توانید بیایید؟', 'appointment'],
    ['ps', 'reminders.which', 'کومې ناستې ته نه شئ راتلای؟', 'appointment'],
    ['ti', 'reminders.workshop', 'ዎርክሾፕ፦ {{title}}፣ {{time}}፣ {{place}}።', 'workshop'],
    ['ru', 'workshops.list.none', 'Сейчас для вас нет курсов.', 'workshop'],
  ] as const)('%s %s', (lang, key, text, term) => {
    expect(glossaryDrift(glossary, withText(lang, key, text))).toEqual([{ term, lang, key, text }]);
  });

  test('a plural form is checked like the others', () => {
    const drifts = glossaryDrift(
      glossary,
      withText('uk', 'cip.answerDays_few', 'Зазвичай відповідь за {{count}} дні.'),
    );
    expect(drifts.map((d) => `${d.term} ${d.lang} ${d.key}`)).toEqual(['adviser (CIP) uk cip.answerDays_few']);
  });

  test('an inflected form the glossary accepts is not a drift', () => {
    expect(glossaryDrift(glossary, withText('ru', 'workshops.list.none', 'Сейчас для вас нет занятий.'))).toEqual([]);
  });
});
