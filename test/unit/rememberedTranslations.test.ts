// A key's text without values, or with numbers only, is resolved once per language; with words
// (a name, a place), once per key with markers where the words go (bot/i18n/translator.ts): the
// same text as i18next's every time, each language its own.
import type { TFunction } from 'i18next';
import { LANGUAGE_CODES } from '../../bot/i18n/languages';
import { i18nextTranslator, readTranslations, remembering, translator } from '../../bot/i18n/translator';

/** A remembering translator over a fake i18next that records what it is asked. */
function rememberingFake() {
  const calls: unknown[][] = [];
  const t = remembering(((...args: unknown[]) => {
    calls.push(args);
    const values = args[1] as Record<string, unknown> | undefined;
    const words = values ? Object.entries(values).map(([name, value]) => ` ${name}=${String(value)}`) : [];
    return `text of ${String(args[0])}${words.join('')}`;
  }) as unknown as TFunction);
  return { ask: t as unknown as (...args: unknown[]) => string, calls };
}

test('a key asked without values is resolved once; with other values, again', () => {
  const { ask, calls } = rememberingFake();
  expect([ask('a'), ask('a'), ask('b'), ask('a')]).toEqual(['text of a', 'text of a', 'text of b', 'text of a']);
  expect(calls).toEqual([['a'], ['b']]);
  expect([ask('a', { n: 1 }), ask('a', { n: 2 })]).toEqual(['text of a n=1', 'text of a n=2']);
  expect(calls.length).toBe(4);
});

test('with numbers only, the text of each key and numbers is remembered', () => {
  const { ask, calls } = rememberingFake();
  expect([ask('press', { n: 1 }), ask('press', { n: 2 }), ask('press', { n: 1 })]).toEqual([
    'text of press n=1',
    'text of press n=2',
    'text of press n=1',
  ]);
  expect(ask('seats', { count: 3, full: false })).toBe(ask('seats', { count: 3, full: false }));
  expect(calls).toEqual([
    ['press', { n: 1 }],
    ['press', { n: 2 }],
    ['seats', { count: 3, full: false }],
  ]);
  // the same key without values is another text
  expect(ask('press')).toBe('text of press');
});

test('with words, i18next makes the text once with markers, and each call puts its own words in', () => {
  const { ask, calls } = rememberingFake();
  expect([
    ask('thanks', { firstName: 'Amina' }),
    ask('thanks', { firstName: 'Bashir $& $1' }),
    ask('thanks', { firstName: '' }),
  ]).toEqual(['text of thanks firstName=Amina', 'text of thanks firstName=Bashir $& $1', 'text of thanks firstName=']);
  expect(calls).toEqual([['thanks', { firstName: '\u00020\u0003' }]]);
  // words and numbers: one text per numbers, the words put in each time
  expect([ask('seat', { place: 'Lyon', n: 2 }), ask('seat', { place: 'Paris', n: 2 })]).toEqual([
    'text of seat place=Lyon n=2',
    'text of seat place=Paris n=2',
  ]);
  expect(calls.length).toBe(2);
  // an option of i18next's as a string, or a value that is no word nor number: asked each time
  ask('seat', { context: 'female' });
  ask('seat', { context: 'female' });
  ask('seat', { when: new Date(0) });
  ask('seat', { count: '3' });
  expect(calls.length).toBe(6);
});

test("the app's translators with words: i18next's very texts, for every key with words, in every language", () => {
  // the words a text takes, from the French source
  const source = readTranslations('fr');
  const keysWithWords: [string, string[]][] = [];
  const walk = (node: unknown, path: string[]) => {
    if (typeof node === 'string') {
      const names = [...node.matchAll(/{{(\w+)}}/g)].map((m) => m[1]);
      if (names.length) keysWithWords.push([path.join('.').replace(/_(one|other|zero|two|few|many)$/, ''), names]);
    } else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
  };
  walk(source, []);
  expect(keysWithWords.length).toBeGreaterThan(50);
  for (const code of LANGUAGE_CODES) {
    const ours = translator(code) as unknown as (key: string, values?: object) => string;
    const theirs = i18nextTranslator(code) as unknown as (key: string, values?: object) => string;
    for (const [key, names] of keysWithWords)
      for (const word of ['Amina', 'Saint-Denis $& $1 {{name}}', '']) {
        const values = Object.fromEntries(names.map((n) => [n, n === 'count' ? 2 : word]));
        expect([key, ours(key, values)]).toEqual([key, theirs(key, values)]);
        expect([key, ours(key, values)]).toEqual([key, theirs(key, values)]);
      }
  }
});

test("the app's translators with numbers: the same texts as i18next's, plurals included", () => {
  const fr = translator('fr') as unknown as (key: string, values?: object) => string;
  const ar = translator('ar') as unknown as (key: string, values?: object) => string;
  expect(fr('workshops.list.seats', { count: 1 })).not.toBe(fr('workshops.list.seats', { count: 5 }));
  expect(fr('workshops.list.seats', { count: 5 })).toContain('5');
  expect(ar('workshops.list.seats', { count: 5 })).toBe(ar('workshops.list.seats', { count: 5 }));
  expect(ar('workshops.list.seats', { count: 5 })).not.toBe(fr('workshops.list.seats', { count: 5 }));
});

test("the app's translators: the same texts as before, per language, with values", () => {
  const fr = translator('fr') as unknown as (key: string, values?: object) => string;
  const en = translator('en') as unknown as (key: string, values?: object) => string;
  expect(fr('menu.workshops')).toBe(fr('menu.workshops'));
  expect(fr('menu.workshops')).not.toBe(en('menu.workshops'));
  expect(en('menu.workshops')).toBe(en('menu.workshops'));
});
