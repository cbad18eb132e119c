// Every text with a length limit in locales/context.json fits it, in all 8 languages: a WhatsApp reply
// button holds 17 characters after "1. ", a list row 21, a template's quick reply 25 each (issue 15: 39
// option labels were cut). The limit of each key is the one the translators' scripts find
// (scripts/i18n-lib.mjs contextOf, an ES module Jest cannot import: it runs in a child node).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { LANGUAGES, readTexts, type Language, type Texts } from './glossaryCheck';

interface Entry {
  maxLength?: number;
  perItem?: boolean;
}

const root = path.join(__dirname, '..', '..');
const texts = readTexts(path.join(root, 'locales'));

/** Each key's limit, as scripts/i18n-lib.mjs finds it (its entry, its plural base's, a "a.*" prefix, "*"). */
function limitsOf(keys: string[]): Map<string, Entry> {
  const script = [
    "import { readContext, contextOf } from './scripts/i18n-lib.mjs';",
    'const context = readContext("locales");',
    'const keys = JSON.parse(process.argv[1]);',
    'console.log(JSON.stringify(keys.map((k) => contextOf(context, k))));',
  ].join('\n');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(keys)], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`scripts/i18n-lib.mjs: ${r.stderr}`);
  const found = JSON.parse(r.stdout) as Entry[];
  return new Map(keys.map((k, i) => [k, found[i] ?? {}]));
}

const limits = limitsOf([...new Set(LANGUAGES.flatMap((l) => [...texts[l].keys()]))]);
const entryOf = (key: string): Entry => limits.get(key) ?? {};

/** Each text longer than its limit (each |-separated part of a perItem text), in UTF-16 units as Meta counts. */
function overLimit(all: Texts): string[] {
  const found: string[] = [];
  for (const lang of LANGUAGES) {
    for (const [key, text] of all[lang]) {
      const { maxLength, perItem } = entryOf(key);
      if (!maxLength) continue;
      for (const part of (perItem ? text.split('|') : [text]).map((t) => t.trim())) {
        if (part.length > maxLength) found.push(`${lang} ${key}: "${part}" (${part.length} > ${maxLength})`);
      }
    }
  }
  return found;
}

function withText(lang: Language, key: string, text: string): Texts {
  const copy = Object.fromEntries(LANGUAGES.map((l) => [l, new Map(texts[l])])) as Texts;
  copy[lang].set(key, text);
  return copy;
}

test('every text with a limit fits it, in every language', () => {
  expect(overLimit(texts)).toEqual([]);
});

test('most option labels have a limit', () => {
  const keys = [...texts.fr.keys()];
  expect(keys.filter((k) => entryOf(k).maxLength).length).toBeGreaterThanOrEqual(50);
  expect(entryOf('workshops.menu.book').maxLength).toBe(17);
  expect(entryOf('workshops.list.more').maxLength).toBe(21);
  expect(entryOf('whatsapp.templateButtons.checkin')).toMatchObject({ maxLength: 25, perItem: true });
});

describe('a text over its limit is caught', () => {
  test('a reply button (17)', () => {
    expect(overLimit(withText('uk', 'workshops.menu.mine', 'Мої заняття (переглянути, скасувати)'))).toEqual([
      'uk workshops.menu.mine: "Мої заняття (переглянути, скасувати)" (36 > 17)',
    ]);
  });

  test('a list row (21)', () => {
    expect(overLimit(withText('fr', 'workshops.list.more', "Voir d'autres ateliers"))).toEqual([
      'fr workshops.list.more: "Voir d\'autres ateliers" (22 > 21)',
    ]);
  });

  test('one button of a template, under a "whatsapp.templateButtons.*" prefix (25 each)', () => {
    expect(
      overLimit(withText('ps', 'whatsapp.templateButtons.checkin', '1 ښه|2 سخت|3 زه ډېرې زیاتې مرستې ته اړتیا لرم')),
    ).toEqual(['ps whatsapp.templateButtons.checkin: "3 زه ډېرې زیاتې مرستې ته اړتیا لرم" (34 > 25)']);
  });
});
