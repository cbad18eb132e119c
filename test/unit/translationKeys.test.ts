// Translation keys are typed from French (bot/i18n/translationKeys.d.ts): the type check of `npm test`
// refuses a misspelt literal key; keys made from data go through textOf, on purpose.
import { textOf, translator } from '../../bot/i18n/translator';

test('a literal key is checked by the type checker; a key made at run time is looked up as data', () => {
  const t = translator('fr');
  expect(t('menu.question')).not.toBe('menu.question');
  // @ts-expect-error: no such key (a misspelling). Were it accepted, this directive would be unused and the type check
  // would fail.
  expect(t('menu.questoin')).toBe('menu.questoin');
  const entry: string = 'question';
  expect(textOf('fr', `menu.${entry}`)).toBe(t('menu.question'));
});
