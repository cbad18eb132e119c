// npm run voice:import -- <folder> [--lang ps]: checks an interpreter's recordings and converts them
// into locales/<lng>/audio/<key>.ogg. Files are named <key>.<ext>, in <lng>/ folders or with --lang.
import { LANGUAGE_CODES, type LanguageCode } from '../bot/i18n/languages';
import { importRecordings } from '../bot/voice/promptImport';

async function main() {
  const args = process.argv.slice(2);
  const at = args.indexOf('--lang');
  const lang = at >= 0 ? args.splice(at, 2)[1] : undefined;
  const folder = args[0];
  if (!folder || (lang !== undefined && !LANGUAGE_CODES.includes(lang as LanguageCode))) {
    console.error(`usage: npm run voice:import -- <folder> [--lang ${LANGUAGE_CODES.join('|')}]`);
    process.exit(2);
  }
  const { imported, refused } = await importRecordings(folder, lang as LanguageCode | undefined);
  for (const i of imported) console.log(`imported ${i.language}/${i.key} (${i.seconds} s)`);
  for (const r of refused) console.error(`refused ${r.file}: ${r.reason}`);
  console.log(`${imported.length} imported, ${refused.length} refused.`);
  if (refused.length) process.exitCode = 1;
}

main().catch((err) => {
  console.error(`voice:import failed: ${(err as Error).message}`);
  process.exit(1);
});
