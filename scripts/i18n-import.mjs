// Reads back a CSV written by i18n-export (edited in a spreadsheet: the "current text" column) and
// merges the changed texts that pass the checks into locales/<lang>/translation.json:
// a known key, the French unchanged since the export, the same placeholders as French, a plural form
// the language has (CLDR), the length limit of where it is shown, and mostly the language's script.
// The refused rows are listed with their reason, and the exit code is then 1; a changed text whose
// prompt was recorded is listed too (to record again).
// Usage: npm run i18n:import -- <file.csv> --lang ps [--dry-run] [--locales <dir>]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import {
  contextOf,
  expectedRows,
  isWordList,
  LANGUAGES,
  lengthProblem,
  placeholders,
  pluralBase,
  pluralCategories,
  pluralCategory,
  readContext,
  readLeaves,
  ROOT,
  scriptProblem,
  writeTexts,
} from './i18n-lib.mjs';

const usage = `usage: npm run i18n:import -- <file.csv> --lang <${LANGUAGES.join('|')}> [--dry-run] [--locales dir]`;
let args;
try {
  args = parseArgs({
    allowPositionals: true,
    options: { lang: { type: 'string' }, 'dry-run': { type: 'boolean' }, locales: { type: 'string' } },
  });
} catch (e) {
  console.error(`${e.message}\n${usage}`);
  process.exit(2);
}
const { lang, 'dry-run': dryRun } = args.values;
const [file] = args.positionals;
if (!file || !LANGUAGES.includes(lang)) {
  console.error(usage);
  process.exit(2);
}
const localesDir = path.resolve(args.values.locales ?? path.join(ROOT, 'locales'));

let records;
try {
  records = parse(fs.readFileSync(file), {
    columns: true,
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
  });
} catch (e) {
  console.error(`${file}: not a readable CSV (${e.message})`);
  process.exit(2);
}
if (records.length && !('key' in records[0] && 'current text' in records[0])) {
  console.error(`${file}: the columns "key" and "current text" are needed (as i18n-export writes them)`);
  process.exit(2);
}

const french = readLeaves(localesDir, 'fr');
const current = readLeaves(localesDir, lang);
const context = readContext(localesDir);
const expected = new Map(expectedRows(french, lang).map((r) => [r.key, r]));
const categories = pluralCategories(lang);

// Spreadsheets save line ends as \r\n and may leave spaces at the ends.
const clean = (text) => (text ?? '').replace(/\r\n?/g, '\n').trim();

const accepted = new Map();
const refused = [];
const warnings = [];
const seen = new Set();
let unchanged = 0;

for (const record of records) {
  const key = clean(record.key);
  const text = clean(record['current text']);
  if (!key) continue;
  const refuse = (reason) => refused.push({ key, reason });
  if (seen.has(key)) {
    refuse('the key is in the file twice');
    continue;
  }
  seen.add(key);
  const row = expected.get(key);
  if (!row) {
    const category = pluralCategory(key);
    if (category && expected.has(`${pluralBase(key)}_other`)) {
      refuse(`"${category}" is not a plural form of ${lang} (CLDR: ${categories.join(', ')})`);
    } else refuse('unknown key (not in the French file)');
    continue;
  }
  const entry = contextOf(context, key);
  if (text === (current.get(key) ?? '')) {
    unchanged++;
    const long = text && !isWordList(entry, row.french) ? lengthProblem(entry, text) : undefined;
    if (long) warnings.push({ key, reason: `unchanged, but ${long}` });
    continue;
  }
  if ('French' in record && clean(record.French) !== row.french.trim()) {
    refuse('the French text changed since the export: export again and translate the new French');
    continue;
  }
  const problems = [];
  if (!text) problems.push('the text is empty');
  const want = placeholders(row.french);
  const got = placeholders(text);
  const missing = want.filter((n) => !got.includes(n));
  const extra = got.filter((n) => !want.includes(n));
  if (missing.length) problems.push(`placeholders missing: ${missing.map((n) => `{{${n}}}`).join(', ')}`);
  if (extra.length) problems.push(`placeholders not in French: ${extra.map((n) => `{{${n}}}`).join(', ')}`);
  if (text && !isWordList(entry, row.french)) {
    const long = lengthProblem(entry, text);
    if (long) problems.push(long);
    const script = scriptProblem(lang, text);
    if (script) problems.push(script);
  }
  if (problems.length) refuse(problems.join('; '));
  else accepted.set(key, text);
}

if (accepted.size && !dryRun) writeTexts(localesDir, lang, accepted);
// A recorded prompt (npm run voice:import) still says the old text.
for (const key of accepted.keys()) {
  const clip = path.join(localesDir, lang, 'audio', `${key}.ogg`);
  if (fs.existsSync(clip)) warnings.push({ key, reason: `${clip} says the old text: record it again` });
}

const verb = dryRun ? 'would change' : 'changed';
console.log(`${lang}: ${accepted.size} ${verb}, ${unchanged} unchanged, ${refused.length} refused`);
for (const key of accepted.keys()) console.log(`  ${verb}: ${key}`);
for (const r of refused) console.log(`  refused: ${r.key}: ${r.reason}`);
for (const w of warnings) console.log(`  warning: ${w.key}: ${w.reason}`);
process.exit(refused.length ? 1 : 0);
