import { recognizeChoice, type ChoiceOption } from '../../dialogs/recognizers/choice';
import { globalCommand } from '../../dialogs/recognizers/keywords';
import { latinDigits, normalize } from '../../dialogs/recognizers/normalize';

const MENU: ChoiceOption[] = [
  { value: 'workshops', label: 'Ateliers' },
  { value: 'shifts', label: 'Mon travail' },
  { value: 'problem', label: 'Un problème' },
  { value: 'agenda', label: 'Mon agenda' },
  { value: 'cip', label: 'Écrire à mon conseiller' },
  { value: 'language', label: 'Langue' },
];

test('digits in Latin, Arabic-Indic, Persian and Ethiopic scripts', () => {
  expect(latinDigits('٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹ ፩፪፫')).toBe('0123456789 0123456789 123');
});

test('normalisation: case, accents, Arabic letter variants, direction marks', () => {
  expect(normalize('  Écrire  À ')).toBe('ecrire a');
  expect(normalize('كيف')).toBe(normalize('کیف'));
  expect(normalize('\u200fأول')).toBe(normalize('اول'));
});

test.each([
  ['2', 'fr', 'shifts'],
  ['٢', 'ar', 'shifts'],
  ['۲', 'fa', 'shifts'],
  ['፪', 'ti', 'shifts'],
  [' 3. ', 'fr', 'problem'],
  ['(4)', 'fr', 'agenda'],
  ['le 5 svp', 'fr', 'cip'],
  ['deux', 'fr', 'shifts'],
  ['two', 'en', 'shifts'],
  ['le deuxième', 'fr', 'shifts'],
  ['the second one', 'en', 'shifts'],
  ['دو', 'fa', 'shifts'],
  ['اثنين', 'ar', 'shifts'],
  ['الثاني', 'ar', 'shifts'],
  ['ክልተ', 'ti', 'shifts'],
  ['два', 'ru', 'shifts'],
  ['дві', 'uk', 'shifts'],
  ['п\u02bcять', 'uk', 'cip'],
  ['ateliers', 'fr', 'workshops'],
  ['ATELIER', 'fr', 'workshops'],
  ['ecrire a mon conseiller', 'fr', 'cip'],
  ['je veux la langue', 'fr', 'language'],
  ['7', 'fr', undefined],
  ['0', 'fr', undefined],
  ['bof', 'fr', undefined],
  ['', 'fr', undefined],
])('"%s" (%s) -> %s', (input, locale, expected) => {
  expect(recognizeChoice(input, MENU, locale as never)?.value).toBe(expected);
});

test('number words beyond the options are not taken as a choice', () => {
  expect(recognizeChoice('dix', MENU, 'fr')).toBeUndefined();
});

test.each([
  ['menu', 'menu'],
  ['0', 'menu'],
  ['۰', 'menu'],
  ['Menu !', 'menu'],
  ['القائمة', 'menu'],
  ['aide', 'help'],
  ['?', 'help'],
  ['؟', 'help'],
  ['کمک', 'help'],
  ['langue', 'language'],
  ['Language', 'language'],
  ['زبان', 'language'],
  ['ቋንቋ', 'language'],
  ['мова', 'language'],
  ['I need help with my housing', undefined],
  ['1', undefined],
])('"%s" is the command %s', (text, command) => {
  expect(globalCommand(text)).toBe(command);
});
