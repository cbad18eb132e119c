// The corpus of answers as people type them (test/fixtures/answers.<lng>.json), read by the real
// recognizers: Latin transliterations, typos, negations, digits of the language's script, emoji.
// An answer names its question: "yesNo" (readYesNoOrUnsure: yes, no, unsure for "I don't know",
// unclear for an answer to ask again, none for no answer), "keyword" (globalCommand: the command,
// or none), or a choice question of the file's "questions" (recognizeChoice: the option, named by
// the last part of its locale key, or none). Add the answers people really sent, with their meaning.
import fs from 'node:fs';
import path from 'node:path';
import { LANGUAGE_CODES, type LanguageCode } from '../../bot/i18n/languages';
import { textOf } from '../../bot/i18n/translator';
import { recognizeChoice, warmUpRecognizers } from '../../dialogs/recognizers/choice';
import { globalCommand } from '../../dialogs/recognizers/keywords';
import { readYesNoOrUnsure } from '../../dialogs/recognizers/yesNo';

interface Answer {
  question: string;
  typed: string;
  meaning: string;
  /** what it tests: word, phrase, latin, typo, negation, digits, emoji, unsure, mixed, other */
  tag: string;
}

interface Corpus {
  language: LanguageCode;
  /** choice questions: their options' locale keys, in order */
  questions: Record<string, string[]>;
  answers: Answer[];
}

const corpus = (code: LanguageCode): Corpus =>
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', `answers.${code}.json`), 'utf8')) as Corpus;

function meaning(answer: Answer, c: Corpus): string {
  const { question, typed } = answer;
  if (question === 'yesNo') return readYesNoOrUnsure(typed, c.language) ?? 'none';
  if (question === 'keyword') return globalCommand(typed) ?? 'none';
  const keys = c.questions[question];
  if (!keys) throw new Error(`${c.language}: no question "${question}" for "${typed}"`);
  const options = keys.map((k) => ({ value: k.split('.').at(-1)!, label: textOf(c.language, k) }));
  return recognizeChoice(typed, options, c.language)?.value ?? 'none';
}

const line = (a: Answer, said: string) => `${a.question}: ${JSON.stringify(a.typed)} -> ${said}`;

beforeAll(() => warmUpRecognizers()); // their first call costs seconds: not inside a test

describe.each(LANGUAGE_CODES.map((l) => [l]))('%s', (code) => {
  const c = corpus(code);

  test('at least 40 answers, of every kind people type', () => {
    expect(c.language).toBe(code);
    expect(c.answers.length).toBeGreaterThanOrEqual(40);
    const tags = new Set(c.answers.map((a) => a.tag));
    for (const tag of ['typo', 'negation', 'digits', 'emoji', 'unsure'])
      expect([tag, tags.has(tag)]).toEqual([tag, true]);
    if (code !== 'fr' && code !== 'en') expect(tags.has('latin')).toBe(true);
    const meanings = new Set(c.answers.filter((a) => a.question === 'yesNo').map((a) => a.meaning));
    expect([...meanings].sort()).toEqual(['no', 'none', 'unclear', 'unsure', 'yes']);
  });

  test('every answer means what the person meant', () => {
    expect(c.answers.map((a) => line(a, meaning(a, c)))).toEqual(c.answers.map((a) => line(a, a.meaning)));
  });

  test('an answer to a yes/no question is never taken for a command', () => {
    const answers = c.answers.filter((a) => a.question === 'yesNo' && a.meaning !== 'none');
    expect(answers.filter((a) => globalCommand(a.typed)).map((a) => a.typed)).toEqual([]);
  });
});
