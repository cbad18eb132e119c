// French is the source: every key, plural form and interpolation variable of French must exist
// in every language, with every plural form that language's grammar needs, and nothing extra.
import { LANGUAGE_CODES } from '../../bot/i18n/languages';
import { readTranslations, type Translations } from '../../bot/i18n/translator';

const PLURAL = /_(zero|one|two|few|many|other)$/;

function leaves(tree: Translations, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (value && typeof value === 'object')
      for (const [k, v] of leaves(value as Translations, `${prefix}${key}.`)) out.set(k, v);
    else out.set(`${prefix}${key}`, String(value));
  }
  return out;
}

const variables = (text: string) => new Set([...text.matchAll(/\{\{\s*([\w.]+)\s*(?:,[^}]*)?\}\}/g)].map((m) => m[1]));
const base = (key: string) => key.replace(PLURAL, '');

const source = leaves(readTranslations('fr'));
const sourceBases = new Set([...source.keys()].map(base));

describe.each(LANGUAGE_CODES.filter((c) => c !== 'fr'))('%s', (code) => {
  const target = leaves(readTranslations(code));
  const categories = new Intl.PluralRules(code).resolvedOptions().pluralCategories;

  test('has every key of French, and no key French lacks', () => {
    const missing = [...sourceBases].filter((k) => ![...target.keys()].some((t) => base(t) === k));
    const extra = [...new Set([...target.keys()].map(base))].filter((k) => !sourceBases.has(k));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  });

  test('has every plural form its grammar needs', () => {
    const pluralBases = new Set([...source.keys()].filter((k) => PLURAL.test(k)).map(base));
    const missing = [...pluralBases].flatMap((b) =>
      categories.filter((c) => !target.has(`${b}_${c}`)).map((c) => `${b}_${c}`),
    );
    expect(missing).toEqual([]);
  });

  test('uses the same interpolation variables as French', () => {
    const wrong: string[] = [];
    for (const [key, text] of target) {
      const frKey = source.has(key) ? key : [...source.keys()].find((k) => base(k) === base(key));
      if (!frKey) continue;
      const expected = [...variables(source.get(frKey)!)].sort().join(',');
      if ([...variables(text)].sort().join(',') !== expected) wrong.push(key);
    }
    expect(wrong).toEqual([]);
  });

  test('has no empty text', () => {
    expect([...target].filter(([, v]) => !v.trim()).map(([k]) => k)).toEqual([]);
  });
});

test('French has every plural form French grammar needs', () => {
  const categories = new Intl.PluralRules('fr').resolvedOptions().pluralCategories;
  const pluralBases = new Set([...source.keys()].filter((k) => PLURAL.test(k)).map(base));
  const missing = [...pluralBases].flatMap((b) =>
    categories.filter((c) => !source.has(`${b}_${c}`)).map((c) => `${b}_${c}`),
  );
  expect(missing).toEqual([]);
});
