// A key's text without values is resolved once per language (bot/i18n/translator.ts): the same
// text every time, values still interpolated, each language its own.
import type { TFunction } from 'i18next';
import { remembering, translator } from '../../bot/i18n/translator';

test('a key asked without values is resolved once; with values, every time', () => {
  const calls: unknown[][] = [];
  const t = remembering(((...args: unknown[]) => {
    calls.push(args);
    return `text of ${String(args[0])}${args[1] ? ` ${JSON.stringify(args[1])}` : ''}`;
  }) as unknown as TFunction);
  const ask = t as unknown as (...args: unknown[]) => string;
  expect([ask('a'), ask('a'), ask('b'), ask('a')]).toEqual(['text of a', 'text of a', 'text of b', 'text of a']);
  expect(calls).toEqual([['a'], ['b']]);
  expect([ask('a', { n: 1 }), ask('a', { n: 2 })]).toEqual(['text of a {"n":1}', 'text of a {"n":2}']);
  expect(calls.length).toBe(4);
});

test("the app's translators: the same texts as before, per language, with values", () => {
  const fr = translator('fr') as unknown as (key: string, values?: object) => string;
  const en = translator('en') as unknown as (key: string, values?: object) => string;
  expect(fr('menu.workshops')).toBe(fr('menu.workshops'));
  expect(fr('menu.workshops')).not.toBe(en('menu.workshops'));
  expect(en('menu.workshops')).toBe(en('menu.workshops'));
});
