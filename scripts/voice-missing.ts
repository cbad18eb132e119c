// npm run voice:missing -- [--lang ps]: the texts of a language that have no recorded prompt yet
// (all languages' counts without --lang).
import { LANGUAGE_CODES, type LanguageCode } from '../bot/i18n/languages';
import { missingRecordings } from '../bot/voice/promptImport';
import { ESPEAK_VOICES } from '../bot/voice/synthesizers';

const at = process.argv.indexOf('--lang');
const lang = at > 0 ? process.argv[at + 1] : undefined;
if (lang !== undefined && !LANGUAGE_CODES.includes(lang as LanguageCode)) {
  console.error(`usage: npm run voice:missing -- [--lang ${LANGUAGE_CODES.join('|')}]`);
  process.exit(2);
}
for (const code of lang ? [lang as LanguageCode] : LANGUAGE_CODES) {
  const r = missingRecordings(code);
  const fallback = ESPEAK_VOICES[code] ? 'the others are synthesised' : 'no synthesis voice: the others are text only';
  console.log(`${code}: ${r.recorded} of ${r.total} texts recorded (${fallback})`);
  if (lang) for (const m of r.missing) console.log(`  ${m.key}\t${m.text.replace(/\n/g, ' / ')}`);
}
