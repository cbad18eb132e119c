// Merges a JSON fragment into locales/<lang>/translation.json (new keys go at the end of their
// object; existing keys are replaced). Holds a lock file meanwhile, so that several people (or
// scripts) adding keys at once do not overwrite each other.
// Usage: npm run i18n:merge -- <lang> <fragment.json>
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { updateLocaleFile } from './i18n-lib.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const [lang, fragmentFile] = process.argv.slice(2);
if (!lang || !fragmentFile) {
  console.error('usage: npm run i18n:merge -- <lang> <fragment.json>');
  process.exit(2);
}
const target = path.join(root, 'locales', lang, 'translation.json');
if (!fs.existsSync(target)) {
  console.error(`no such language file: ${target}`);
  process.exit(2);
}
const fragment = JSON.parse(fs.readFileSync(fragmentFile, 'utf8'));

function merge(into, from) {
  for (const [key, value] of Object.entries(from)) {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      if (typeof into[key] !== 'object' || into[key] === null) into[key] = {};
      merge(into[key], value);
    } else {
      into[key] = value;
    }
  }
}

updateLocaleFile(path.join(root, 'locales'), lang, (current) => merge(current, fragment));
console.log(`${lang}: merged ${fragmentFile}`);
