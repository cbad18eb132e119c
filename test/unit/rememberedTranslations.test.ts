// A key's text without values, or with numbers only, is resolved once per language
// (bot/i18n/translator.ts): the same text every time, words still interpolated, each language its own.
import type { TFunction } from 'i18next';
import { remembering, translator } from '../../bot/i18n/translator';

/** A remembering translator over a fake i18next that records what it is asked. */
function rememberingFake() {
  const calls: unknown[][] = [];
  const t = remembering(((...args: unknown[]) => {
    calls.push(args);
    return `text of ${String(args[0])}${args[1] ? ` ${JSON.stringify(args[1])}` : ''}`;
  }) as unknown as TFunction);
  return { ask: t as unknown as (...args: unknown[]) => string, calls };
}

test('a key asked without values is resolved once; with other values, again', () => {
  const { ask, calls } = rememberingFake();
  expect([ask('a'), ask('a'), ask('b'), ask('a')]).toEqual(['text of a', 'text of a', 'text of b', 'text of a']);
  expect(calls).toEqual([['a'], ['b']]);
  expect([ask('a', { n: 1 }), ask('a', { n: 2 })]).toEqual(['text of a {"n":1}', 'text of a {"n":2}']);
  expect(calls.length).toBe(4);
});

test('with numbers only, the text of each key and numbers is remembered; with words, never', () => {
  const { ask, calls } = rememberingFake();
  expect([ask('press', { n: 1 }), ask('press', { n: 2 }), ask('press', { n: 1 })]).toEqual([
    'text of press {"n":1}',
    'text of press {"n":2}',
    'text of press {"n":1}',
  ]);
  expect(ask('seats', { count: 3, full: false })).toBe(ask('seats', { count: 3, full: false }));
  expect(calls).toEqual([
    ['press', { n: 1 }],
    ['press', { n: 2 }],
    ['seats', { count: 3, full: false }],
  ]);
  // a name (or any word) is interpolated every time, never kept
  expect([ask('thanks', { firstName: 'Amina' }), ask('thanks', { firstName: 'Amina' })]).toEqual([
    'text of thanks {"firstName":"Amina"}',
    'text of thanks {"firstName":"Amina"}',
  ]);
  expect(calls.length).toBe(5);
  // the same key without values is another text
  expect(ask('press')).toBe('text of press');
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
