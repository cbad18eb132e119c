// npm run case:erase -- --id 42 --reason "asked by phone on 3 December"
// Erases a case in DATABASE_URL for good, as POST /api/cip/beneficiaries/:id/erase does (names,
// phone, messages, files, free text; anonymous statistics stay) and prints what was erased. The
// audit row says it was done from the command line (no member of staff).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../bot/runtime/config';
import { openDatabase } from '../bot/db/client';
import { MediaStore } from '../bot/media/store';
import { projectRoot } from '../bot/runtime/paths';
import { eraseBeneficiary, ErasureRefused } from '../bot/services/erasure';

const USAGE = 'usage: npm run case:erase -- --id <case id> --reason "<why>"';

async function main() {
  const { values } = parseArgs({
    options: { id: { type: 'string' }, reason: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return void console.log(USAGE);
  const id = Number(values.id);
  if (!values.id || !Number.isInteger(id) || id <= 0)
    throw new Error(`--id needs a case id (a positive whole number)\n${USAGE}`);
  const reason = values.reason?.trim() ?? '';
  if (reason.length < 3) throw new Error(`--reason needs a few words: why the case is erased\n${USAGE}`);
  const envFile = path.join(projectRoot, '.env');
  if (fs.existsSync(envFile)) process.loadEnvFile(envFile);
  const config = loadConfig();
  const db = await openDatabase(config.databaseUrl);
  try {
    const counts = await eraseBeneficiary(db, id, {
      by: { label: 'cli' },
      reason,
      now: new Date(),
      media: new MediaStore(config.media.dir),
    });
    console.log(`Case ${id} erased: only anonymous statistics are left.`);
    console.log(
      Object.entries(counts)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', '),
    );
  } catch (err) {
    if (err instanceof ErasureRefused)
      throw new Error(err.code === 'not_found' ? `No case ${id}.` : `Case ${id} is erased already.`, { cause: err });
    throw err;
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
