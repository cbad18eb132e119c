// locales/context.json stays true to the locale files: what it names exists, and the placeholders of
// the texts people read are explained to translators.
import context from '../../locales/context.json';
import { leaves } from './glossaryCheck';
import { readTranslations } from '../../bot/i18n/translator';
import { LIMITS } from '../../bot/channels/whatsapp/payloads';

const french = leaves(readTranslations('fr'));
const keys = [...french.keys()];
const base = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, '');
const entries = context.keys as Record<string, { shown: string; maxLength?: number }>;

test('every key or prefix it describes exists in French', () => {
  const stale = Object.keys(entries).filter((k) =>
    k === '*'
      ? false
      : k.endsWith('.*')
        ? !keys.some((x) => x.startsWith(k.slice(0, -1)))
        : !keys.some((x) => base(x) === k),
  );
  expect(stale).toEqual([]);
});

test('every entry says where the text is shown', () => {
  expect(
    Object.entries(entries)
      .filter(([, e]) => !e.shown?.trim())
      .map(([k]) => k),
  ).toEqual([]);
});

test('the placeholders of the texts people read are explained', () => {
  const staff = /^(dashboard|api|whatsapp\.templates)\./;
  const names = new Set(
    keys
      .filter((k) => !staff.test(k))
      .flatMap((k) => [...french.get(k)!.matchAll(/\{\{\s*([\w.]+)/g)].map((m) => m[1])),
  );
  expect([...names].filter((n) => !(n in context.placeholders))).toEqual([]);
});

test('the WhatsApp options have the limits of the renderer', () => {
  // "1. " comes before the text: a reply button title holds 20 characters, a list row's 24.
  expect(entries['common.yes'].maxLength).toBe(LIMITS.buttonTitle - 3);
  expect(entries['menu.workshops'].maxLength).toBe(LIMITS.rowTitle - 3);
  expect(entries['whatsapp.choose'].maxLength).toBe(LIMITS.listButton);
});
