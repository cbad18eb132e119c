// Writes a language's texts as a CSV for a reviewer or translator (opens in any spreadsheet):
// key, context (where it is shown, placeholders, plural form), French, current text, length limit.
// The reviewer edits "current text" only; npm run i18n:import reads the file back with checks.
// Usage: npm run i18n:export -- --lang ps [--out ps.csv] [--locales <dir>]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import {
  COLUMNS,
  contextOf,
  contextText,
  expectedRows,
  LANGUAGES,
  limitText,
  readContext,
  readLeaves,
  ROOT,
} from './i18n-lib.mjs';

const usage = `usage: npm run i18n:export -- --lang <${LANGUAGES.join('|')}> [--out file.csv] [--locales dir]`;
let args;
try {
  args = parseArgs({
    options: { lang: { type: 'string' }, out: { type: 'string' }, locales: { type: 'string' } },
  }).values;
} catch (e) {
  console.error(`${e.message}\n${usage}`);
  process.exit(2);
}
const lang = args.lang;
if (!LANGUAGES.includes(lang)) {
  console.error(usage);
  process.exit(2);
}
const localesDir = path.resolve(args.locales ?? path.join(ROOT, 'locales'));
const french = readLeaves(localesDir, 'fr');
const current = readLeaves(localesDir, lang);
const context = readContext(localesDir);

const records = expectedRows(french, lang).map((row) => [
  row.key,
  contextText(context, row, lang),
  row.french,
  current.get(row.key) ?? '',
  limitText(contextOf(context, row.key)),
]);
// A byte order mark, so that spreadsheets read the file as UTF-8 (Arabic, Ethiopic, Cyrillic).
const csv = stringify(records, { header: true, columns: COLUMNS, bom: true, record_delimiter: 'windows' });
if (args.out) {
  fs.writeFileSync(args.out, csv);
  console.error(`${lang}: ${records.length} texts written to ${args.out}`);
} else {
  process.stdout.write(csv);
}
