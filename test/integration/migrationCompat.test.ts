// Every PostgreSQL migration leaves the schema usable by the release before it (rolling upgrades:
// bot/db/migrationRules.ts), and the rules catch what would break it (planted migrations).
import fs from 'node:fs';
import path from 'node:path';
import { breakingChanges } from '../../bot/db/migrationRules';
import { projectRoot } from '../../bot/runtime/paths';

const dir = path.join(projectRoot, 'prisma', 'postgresql', 'migrations');
// The first one makes the schema: nothing runs before it.
const [, ...later] = fs
  .readdirSync(dir)
  .filter((name) => fs.existsSync(path.join(dir, name, 'migration.sql')))
  .sort();

test.each(later)('%s: the release before it still works on the schema it leaves', (name) => {
  expect(breakingChanges(fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8'))).toEqual([]);
});

test('what would break the release before is found; additions pass; a marked contract step passes', () => {
  const planted = [
    'ALTER TABLE "Beneficiary" DROP COLUMN "phone";',
    'DROP TABLE "Shift";',
    'ALTER TABLE "Message" RENAME COLUMN "payload" TO "body";',
    'ALTER TABLE "Message" ALTER COLUMN "attempts" SET DATA TYPE BIGINT;',
    'ALTER TABLE "Message" ALTER COLUMN "kind" SET NOT NULL;',
    'ALTER TABLE "StaffUser" ALTER COLUMN "language" DROP DEFAULT;',
    'ALTER TABLE "Beneficiary" ADD COLUMN "region" TEXT NOT NULL;',
  ];
  for (const sql of planted) expect(breakingChanges(sql)).toHaveLength(1);
  expect(
    breakingChanges(`-- AlterTable
ALTER TABLE "Beneficiary" ADD COLUMN "region" TEXT NOT NULL DEFAULT 'idf', ADD COLUMN "note" TEXT;
CREATE TABLE "X" ("id" TEXT NOT NULL, CONSTRAINT "X_pkey" PRIMARY KEY ("id"));
CREATE INDEX "X_id_idx" ON "X"("id");
DROP INDEX "Booking_sessionId_status_createdAt_idx";`),
  ).toEqual([]);
  expect(
    breakingChanges('-- contract: no code reads "phone" since release 2026.12\nALTER TABLE "B" DROP COLUMN "phone";'),
  ).toEqual([]);
});
