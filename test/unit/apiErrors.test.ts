// Every refusal the CIP API can give has its sentence in French and in English (api.errors.<reason>
// in the locale files), so that no caller ever reads a bare key; and the caller's language is read
// from Accept-Language as browsers send it.
import fs from 'node:fs';
import path from 'node:path';
import { apiError, requestLanguage } from '../../bot/api/http';
import { readTranslations } from '../../bot/i18n/translator';
import { projectRoot } from '../../bot/runtime/paths';

const api = path.join(projectRoot, 'bot', 'api');
const sources = fs
  .readdirSync(api)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => fs.readFileSync(path.join(api, f), 'utf8'))
  .join('\n');

/** The reasons written as literals in bot/api, and those made from a status or a rule's name. */
const reasons = new Set([
  ...[...sources.matchAll(/\bconflict\('([\w.]+)'/g)].map((m) => m[1]),
  ...[...sources.matchAll(/\bapiError\(\d+, '\w+', '([\w.]+)'/g)].map((m) => m[1]),
  ...[...sources.matchAll(/\bnotFound\('(\w+)'\)/g)].map((m) => `notFound.${m[1]}`),
  ...[...sources.matchAll(/\bconflict\([^;]*?\? '([\w.]+)' : '([\w.]+)'/g)].flatMap((m) => [m[1], m[2]]),
  ...['body', 'query', 'path'].map((w) => `invalid.${w}`),
  ...['archived', 'erased'].map((s) => `case.${s}`),
  'booking.under25Only',
  'booking.over25Only',
  'booking.cancelledAlready',
  ...['open', 'in_progress', 'resolved'].map((s) => `blocker.already.${s}`),
  ...['attended', 'no_show'].map((s) => `booking.closed.${s}`),
  ...['company', 'training', 'mission_locale'].map((k) => `placement.structure_kind.${k}`),
  ...['ended', 'cancelled'].map((s) => `placement.placement_closed.${s}`),
  ...['case_archived', 'structure_inactive', 'tutor', 'capacity', 'capacityOne', 'sas_duration', 'shift_outside'].map(
    (r) => `placement.${r}`,
  ),
]);

const leaf = (tree: Record<string, unknown>, key: string) =>
  key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], tree);

test.each(['fr', 'en'] as const)('every reason has its sentence in %s', (language) => {
  const errors = leaf(readTranslations(language), 'api.errors') as Record<string, unknown>;
  expect(reasons.size).toBeGreaterThan(40);
  const missing = [...reasons].filter((r) => typeof leaf(errors, r) !== 'string');
  expect(missing).toEqual([]);
});

test('an English message is made from the locale file, with its values; days as YYYY-MM-DD in params', () => {
  const err = apiError(409, 'Conflict', 'placement.capacity', {
    structure: 'Jardins',
    capacity: 2,
    placed: 2,
    day: new Date('2027-06-10T00:00:00Z'),
  });
  expect(err.message).toBe(
    'Jardins takes at most 2 refugees in the sas IAE at a time, and 2 are already placed there on 2027-06-10.',
  );
  expect(err.messageIn('fr')).toBe(
    'Jardins accueille au plus 2 réfugiés à la fois en sas IAE, et 2 y sont déjà placés le 10/06/2027.',
  );
});

test('Accept-Language: the first of French and English by preference; French otherwise', () => {
  expect(requestLanguage(undefined)).toBe('fr');
  expect(requestLanguage('')).toBe('fr');
  expect(requestLanguage('en-US,en;q=0.9')).toBe('en');
  expect(requestLanguage('fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7')).toBe('fr');
  expect(requestLanguage('de-DE,de;q=0.9,en;q=0.8')).toBe('en');
  expect(requestLanguage('en;q=0.4,fr;q=0.6')).toBe('fr');
  expect(requestLanguage('en;q=0, fr')).toBe('fr');
  expect(requestLanguage('ar,uk')).toBe('fr');
  expect(requestLanguage('EN-gb')).toBe('en');
});
