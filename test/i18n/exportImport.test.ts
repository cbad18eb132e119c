// The translators' round trip (npm run i18n:export / i18n:import), run on a copy of locales/: a CSV
// exported and read back unchanged changes nothing; an edited text is merged; each check refuses
// what it must, with its reason, and the rows that pass are merged all the same.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

const root = path.join(__dirname, '..', '..');
const COLUMNS = ['key', 'context', 'French', 'current text', 'length limit'];
type Row = Record<string, string>;

let locales: string;
let work: string;

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'i18n-'));
  locales = path.join(work, 'locales');
  fs.cpSync(path.join(root, 'locales'), locales, { recursive: true, filter: (f) => !/\.(lock|tmp)$/.test(f) });
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

function run(script: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', script), ...args, '--locales', locales], {
    encoding: 'utf8',
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

function exportRows(lang: string): Row[] {
  const file = path.join(work, `${lang}.csv`);
  const r = run('i18n-export.mjs', '--lang', lang, '--out', file);
  expect(r.status).toBe(0);
  return parse(fs.readFileSync(file), { columns: true, bom: true }) as Row[];
}

function importRows(lang: string, rows: Row[], ...flags: string[]) {
  const file = path.join(work, `${lang}-edited.csv`);
  fs.writeFileSync(file, stringify(rows, { header: true, columns: COLUMNS, bom: true }));
  return run('i18n-import.mjs', file, '--lang', lang, ...flags);
}

const localeText = (lang: string) => fs.readFileSync(path.join(locales, lang, 'translation.json'), 'utf8');
const textOf = (lang: string, key: string) =>
  key.split('.').reduce<any>((node, part) => node?.[part], JSON.parse(localeText(lang)));
const edit = (rows: Row[], key: string, text: string) =>
  rows.map((r) => (r.key === key ? { ...r, 'current text': text } : r));

test('the CSV has the columns, one row per text and per plural form of the language, and the context', () => {
  const rows = exportRows('ps');
  expect(Object.keys(rows[0])).toEqual(COLUMNS);
  const keys = rows.map((r) => r.key);
  expect(new Set(keys).size).toBe(keys.length);
  // Pashto has two plural forms (CLDR one, other), Arabic six, Russian four.
  expect(keys.filter((k) => k.startsWith('cip.answerDays_'))).toEqual(['cip.answerDays_one', 'cip.answerDays_other']);
  expect(
    exportRows('ar')
      .filter((r) => r.key.startsWith('cip.answerDays_'))
      .map((r) => r.key),
  ).toEqual(['zero', 'one', 'two', 'few', 'many', 'other'].map((c) => `cip.answerDays_${c}`));
  expect(exportRows('ru').filter((r) => r.key.startsWith('cip.answerDays_'))).toHaveLength(4);

  const byKey = new Map(rows.map((r) => [r.key, r]));
  expect(byKey.get('common.yes')).toMatchObject({ French: 'Oui', 'current text': 'هو', 'length limit': '17' });
  expect(byKey.get('common.yes')!.context).toMatch(/reply button/);
  expect(byKey.get('menu.workshops')).toMatchObject({ 'length limit': '21' });
  expect(byKey.get('menu.workshops')!.context).toMatch(/row of a list/);
  expect(byKey.get('checkins.question')!.context).toMatch(/\{\{structure\}\} = the employer's name/);
  expect(byKey.get('cip.answerDays_one')!.context).toMatch(/Plural form "one"/);
  expect(byKey.get('keywords.stop')!.context).toMatch(/never shown/);
  expect(byKey.get('whatsapp.templates.checkin')!.context).toMatch(/approved by Meta/);
  expect(byKey.get('whatsapp.templateButtons.checkin')).toMatchObject({ 'length limit': '25 each' });
  expect(rows.find((r) => r.key.startsWith('dashboard.'))!.context).toMatch(/staff dashboard/);
});

test('a CSV read back unchanged changes nothing', () => {
  for (const lang of ['ps', 'ar', 'ti', 'ru']) {
    const before = localeText(lang);
    const r = importRows(lang, exportRows(lang));
    expect(r.status).toBe(0);
    expect(r.out).toMatch(new RegExp(`^${lang}: 0 changed, \\d+ unchanged, 0 refused`));
    expect(localeText(lang)).toBe(before);
  }
});

test('an edited text is merged in place; the file keeps its keys, order and format', () => {
  const before = localeText('ps');
  const r = importRows('ps', edit(exportRows('ps'), 'reminders.seeYou', 'مننه. سبا مو ګورو!'));
  expect(r.status).toBe(0);
  expect(r.out).toContain('ps: 1 changed');
  expect(textOf('ps', 'reminders.seeYou')).toBe('مننه. سبا مو ګورو!');
  const after = localeText('ps');
  expect(after.replace('مننه. سبا مو ګورو!', 'مننه. سبا ګورو!')).toBe(before);
});

test('--dry-run says what would change and writes nothing', () => {
  const before = localeText('ps');
  const r = importRows('ps', edit(exportRows('ps'), 'reminders.seeYou', 'مننه. سبا مو ګورو!'), '--dry-run');
  expect(r.status).toBe(0);
  expect(r.out).toContain('would change: reminders.seeYou');
  expect(localeText('ps')).toBe(before);
});

describe('each check refuses, with its reason; the good rows are merged all the same', () => {
  /** The change and the key it refuses: the text of `key` replaced by `text`. */
  const editing = (key: string, text: string) => [(rows: Row[]) => edit(rows, key, text), key] as const;
  const cases: [string, (rows: Row[]) => Row[], string, RegExp][] = [
    ['an unknown key', (rows) => [...rows, { ...rows[0], key: 'menu.nothing' }], 'menu.nothing', /unknown key/],
    [
      'a plural form the language does not have',
      (rows) => [...rows, { ...rows.find((r) => r.key === 'cip.answerDays_other')!, key: 'cip.answerDays_few' }],
      'cip.answerDays_few',
      /"few" is not a plural form of ps \(CLDR: one, other\)/,
    ],
    [
      'a placeholder missing',
      ...editing('checkins.question', 'ستاسو ورځ څنګه وه؟'),
      /placeholders missing: \{\{structure\}\}/,
    ],
    [
      'a placeholder French does not have',
      ...editing('checkins.question', 'په {{structure}} کې مو ورځ څنګه وه، {{name}}؟'),
      /placeholders not in French: \{\{name\}\}/,
    ],
    ['a placeholder translated', ...editing('reminders.intro', 'سبا، {{ورځ}}:'), /placeholders missing: \{\{day\}\}/],
    [
      'a button text too long for WhatsApp',
      ...editing('common.yes', 'هو، زه ورسره بشپړ موافق یم'),
      /longer than 17 characters/,
    ],
    [
      'a template button too long',
      ...editing('whatsapp.templateButtons.checkin', '1 ښه|2 سخت|3 زه ډېرې زیاتې مرستې ته اړتیا لرم'),
      /longer than 25 characters: "3 زه ډېرې/,
    ],
    ['a text in another script', ...editing('reminders.seeYou', 'Manana. Saba goro!'), /not in the Arabic script/],
    ['an empty text', ...editing('reminders.seeYou', '  '), /the text is empty/],
    [
      'a French text changed since the export',
      (rows) =>
        rows.map((r) =>
          r.key === 'reminders.seeYou' ? { ...r, French: 'Merci !', 'current text': 'مننه. سبا مو ګورو!' } : r,
        ),
      'reminders.seeYou',
      /French text changed since the export/,
    ],
    [
      'a key twice',
      (rows) => [...rows, { ...rows.find((r) => r.key === 'common.no')!, 'current text': 'نه، مننه' }],
      'common.no',
      /twice/,
    ],
  ];

  test.each(cases)('%s', (_name, change, key, reason) => {
    const good = edit(exportRows('ps'), 'checkins.thanks', 'مننه! ماښام مو په خیر.');
    const before = textOf('ps', key);
    const r = importRows('ps', change(good));
    expect(r.status).toBe(1);
    const refused = r.out.split('\n').filter((l) => l.includes('refused: '));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toContain(`refused: ${key}: `);
    expect(refused[0]).toMatch(reason);
    expect(textOf('ps', key)).toBe(before);
    expect(textOf('ps', 'checkins.thanks')).toBe('مننه! ماښام مو په خیر.');
  });
});

test('word lists (never shown) may hold Latin transliterations', () => {
  const rows = edit(exportRows('fa'), 'recognize.yes', 'بله|بلی|آره|bale|bali');
  const r = importRows('fa', rows);
  expect(r.status).toBe(0);
  expect(textOf('fa', 'recognize.yes')).toBe('بله|بلی|آره|bale|bali');
});

test('a changed text whose prompt was recorded is to be recorded again', () => {
  fs.mkdirSync(path.join(locales, 'ps', 'audio'));
  fs.writeFileSync(path.join(locales, 'ps', 'audio', 'reminders.seeYou.ogg'), 'OggS');
  const r = importRows('ps', edit(exportRows('ps'), 'reminders.seeYou', 'مننه. سبا مو ګورو!'));
  expect(r.status).toBe(0);
  expect(r.out).toMatch(/warning: reminders\.seeYou: .*reminders\.seeYou\.ogg says the old text: record it again/);
});

test('an unchanged text over its limit is a warning, not a refusal', () => {
  // The real texts fit their limits: one already too long is written into the copy.
  const uk = JSON.parse(localeText('uk'));
  uk.contacts.menu.absence = 'Повідомити про відсутність';
  fs.writeFileSync(path.join(locales, 'uk', 'translation.json'), JSON.stringify(uk, null, 2));
  const r = importRows('uk', exportRows('uk'));
  expect(r.status).toBe(0);
  expect(r.out).toMatch(/warning: contacts\.menu\.absence: unchanged, but longer than 17 characters/);
});

test('a plural form the language needs and the file lacks is added', () => {
  const file = path.join(locales, 'ar', 'translation.json');
  const tree = JSON.parse(fs.readFileSync(file, 'utf8'));
  delete tree.cip.answerDays_two;
  fs.writeFileSync(file, `${JSON.stringify(tree, null, 2)}\n`);
  const rows = exportRows('ar');
  expect(rows.find((r) => r.key === 'cip.answerDays_two')).toMatchObject({ 'current text': '' });
  const r = importRows('ar', edit(rows, 'cip.answerDays_two', 'مرشدك يجيب عادة خلال يومي عمل ({{count}}).'));
  expect(r.status).toBe(0);
  expect(textOf('ar', 'cip.answerDays_two')).toBe('مرشدك يجيب عادة خلال يومي عمل ({{count}}).');
});

test('the usage is told for a missing language or file', () => {
  expect(run('i18n-export.mjs').status).toBe(2);
  expect(run('i18n-export.mjs', '--lang', 'xx').err).toMatch(/usage: npm run i18n:export/);
  expect(run('i18n-import.mjs', '--lang', 'ps').status).toBe(2);
});
