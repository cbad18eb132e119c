// Runs once before all suites: says which optional back-ends are missing, loudly, so that a
// skipped suite never goes unnoticed. On CI (REQUIRE_ALL_SUITES=1) a missing one fails the run.
import { postgresAvailable } from './postgres';
import { chromiumPath } from './browser';

export default async function globalSetup(): Promise<void> {
  const missing: string[] = [];
  // Test workers inherit these variables: suites read them to decide what they can run.
  const pg = await postgresAvailable();
  process.env.PASSERELLE_TEST_PG = pg ? '1' : '0';
  if (!pg) missing.push('PostgreSQL at 127.0.0.1:5432 (PostgreSQL suites are skipped)');
  const chromium = chromiumPath();
  process.env.PASSERELLE_TEST_CHROMIUM = chromium ?? '';
  if (!chromium) missing.push('chromium (browser suites are skipped)');
  if (!missing.length) return;
  const text = `\n*** NOTICE: ${missing.join('; ')} ***\n`;
  if (process.env.REQUIRE_ALL_SUITES === '1')
    throw new Error(`REQUIRE_ALL_SUITES=1 but missing: ${missing.join('; ')}`);
  process.stderr.write(text);
}
