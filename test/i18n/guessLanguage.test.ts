// The first guess at a new person's language (issue 15): the script of their first message, the
// browser's languages, the phone's country code as a weak hint. Digits and signs say nothing.
import { guessLanguages, languageOfBrowser, languagesOfPhone, languagesOfScript } from '../../bot/i18n/guessLanguage';

describe('the script of a message', () => {
  test.each([
    ['ሰላም', ['ti']],
    ['ሰላም ከመይ ኣለኹም', ['ti']],
    ['سلام', ['ar', 'fa', 'ps']],
    ['مرحبا', ['ar', 'fa', 'ps']],
    ['مرحبا كيف حالك', ['ar']], // ك: an Arabic keyboard
    ['السلام عليكم ورحمة الله', ['ar']], // ة
    ['سلام، چطور هستید', ['fa', 'ps']], // چ: Dari or Pashto
    ['ستړي مه شې', ['ps']], // ړ ې: Pashto only
    ['привет', ['ru', 'uk']],
    ['здравствуйте, мы из Харькова', ['ru']], // ы
    ['привіт', ['uk']], // і
    ['добрий день, є питання', ['uk']], // є
    ['hello', []],
    ['salam', []],
    ['selam', []],
    ['١', []], // Arabic-Indic digit: no letter
    ['۴', []], // Persian digit
    ['؟', []],
    ['፩', []], // Ethiopic number
    ['👍', []],
    ['', []],
  ])('%s: %j', (text, expected) => {
    expect(languagesOfScript(text)).toEqual(expected);
  });
});

describe("the phone's country code", () => {
  test.each([
    ['93701234567', ['fa', 'ps']],
    ['+93 70 123 4567', ['fa', 'ps']],
    ['0093701234567', ['fa', 'ps']],
    ['2917123456', ['ti']],
    ['963912345678', ['ar']],
    ['249912345678', ['ar']],
    ['9647701234567', ['ar']],
    ['380501234567', ['uk']],
    ['79161234567', ['ru']],
    ['33612345678', []],
    ['', []],
  ])('%s: %j', (phone, expected) => {
    expect(languagesOfPhone(phone)).toEqual(expected);
  });
  test('no phone: no hint', () => {
    expect(languagesOfPhone(undefined)).toEqual([]);
  });
});

describe("the browser's languages", () => {
  test.each([
    [['fa-AF', 'en-US'], 'fa'],
    [['prs'], 'fa'],
    [['de-DE', 'ti-ER', 'en'], 'ti'],
    [['de-DE', 'es'], undefined],
    [[], undefined],
  ])('%j: %s', (tags, expected) => {
    expect(languageOfBrowser(tags)).toBe(expected);
  });
});

describe('the guess', () => {
  test('the browser wins: it is what the person set', () => {
    expect(guessLanguages({ browser: ['fa-AF'], text: 'привет', phone: '79161234567' })).toEqual(['fa']);
  });
  test('Ethiopic: Tigrinya, whatever the phone', () => {
    expect(guessLanguages({ text: 'ሰላም', phone: '33612345678' })).toEqual(['ti']);
  });
  test('Arabic script from Afghanistan: Dari or Pashto', () => {
    expect(guessLanguages({ text: 'سلام', phone: '93701234567' })).toEqual(['fa', 'ps']);
  });
  test('Arabic script from Syria: Arabic alone', () => {
    expect(guessLanguages({ text: 'سلام', phone: '963912345678' })).toEqual(['ar']);
  });
  test('Arabic script from France: the three languages', () => {
    expect(guessLanguages({ text: 'سلام', phone: '33612345678' })).toEqual(['ar', 'fa', 'ps']);
  });
  test('the letters beat the country: Pashto letters from Syria are Pashto', () => {
    expect(guessLanguages({ text: 'ستړي مه شې', phone: '963912345678' })).toEqual(['ps']);
  });
  test('Cyrillic from Ukraine: Ukrainian; from Russia: Russian', () => {
    expect(guessLanguages({ text: 'привет', phone: '380501234567' })).toEqual(['uk']);
    expect(guessLanguages({ text: 'привет', phone: '79161234567' })).toEqual(['ru']);
  });
  test('Latin letters: the country alone (a weak hint), else nothing', () => {
    expect(guessLanguages({ text: 'selam', phone: '2917123456' })).toEqual(['ti']);
    expect(guessLanguages({ text: 'salam', phone: '93701234567' })).toEqual(['fa', 'ps']);
    expect(guessLanguages({ text: 'bonjour', phone: '33612345678' })).toEqual([]);
    expect(guessLanguages({ text: 'hello' })).toEqual([]);
  });
});
