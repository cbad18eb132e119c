// The API's refusals speak the caller's language down to each field: every message our schemas
// write themselves ("must not be empty"...) has its French in api.fields, found from the sentence.
import fs from 'node:fs';
import path from 'node:path';
import { fieldMessage, fieldMessageKey } from '../../bot/api/http';
import { readTranslations } from '../../bot/i18n/translator';
import { projectRoot } from '../../bot/runtime/paths';

/** The field messages written in the API's and the services' sources (quoted sentences of the usual forms). */
function sourceMessages(): string[] {
  const found = new Set<string>();
  for (const dir of ['bot/api', 'bot/services']) {
    for (const file of fs.readdirSync(path.join(projectRoot, dir)).filter((f) => f.endsWith('.ts'))) {
      const text = fs.readFileSync(path.join(projectRoot, dir, file), 'utf8');
      for (const m of text.matchAll(
        /'((?:must|at most|at least|choose|has no|mark|nothing|one mark|say |your )[^']*)'/g,
      ))
        found.add(m[1]);
    }
  }
  return [...found].sort();
}

test('every field message of our schemas has its French (and its English key)', () => {
  const messages = sourceMessages();
  expect(messages.length).toBeGreaterThan(20);
  const fr = (readTranslations('fr') as { api: { fields: Record<string, string> } }).api.fields;
  const en = (readTranslations('en') as { api: { fields: Record<string, string> } }).api.fields;
  expect(messages.filter((m) => !fr[fieldMessageKey(m)])).toEqual([]);
  expect(messages.filter((m) => en[fieldMessageKey(m)] !== m)).toEqual([]);
});

test("a field message in French, in English as written; zod's own (already French) untouched", () => {
  expect(fieldMessage('fr', 'must not be empty')).toBe('ne doit pas être vide');
  expect(fieldMessage('en', 'must not be empty')).toBe('must not be empty');
  expect(fieldMessage('fr', 'Entrée invalide')).toBe('Entrée invalide');
});
