-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Beneficiary" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "firstName" TEXT,
    "lastName" TEXT,
    "phone" TEXT,
    "language" TEXT NOT NULL DEFAULT 'fr',
    "birthYear" INTEGER,
    "protectionStatus" TEXT,
    "frenchLevel" TEXT,
    "reads" TEXT,
    "stage" TEXT NOT NULL DEFAULT 'diagnostic',
    "status" TEXT NOT NULL DEFAULT 'pending',
    "cipId" INTEGER,
    "consentAt" DATETIME,
    "optedOutAt" DATETIME,
    "archivedAt" DATETIME,
    "erasedAt" DATETIME,
    "entryDate" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "exitDate" DATETIME,
    "exitOutcome" TEXT,
    "exitDetail" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Beneficiary_cipId_fkey" FOREIGN KEY ("cipId") REFERENCES "StaffUser" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Beneficiary" ("archivedAt", "birthYear", "cipId", "consentAt", "createdAt", "erasedAt", "firstName", "frenchLevel", "id", "language", "lastName", "optedOutAt", "phone", "protectionStatus", "reads", "stage", "status", "updatedAt") SELECT "archivedAt", "birthYear", "cipId", "consentAt", "createdAt", "erasedAt", "firstName", "frenchLevel", "id", "language", "lastName", "optedOutAt", "phone", "protectionStatus", "reads", "stage", "status", "updatedAt" FROM "Beneficiary";
DROP TABLE "Beneficiary";
ALTER TABLE "new_Beneficiary" RENAME TO "Beneficiary";
CREATE UNIQUE INDEX "Beneficiary_phone_key" ON "Beneficiary"("phone");
CREATE INDEX "Beneficiary_status_idx" ON "Beneficiary"("status");
CREATE INDEX "Beneficiary_cipId_idx" ON "Beneficiary"("cipId");
CREATE INDEX "Beneficiary_entryDate_idx" ON "Beneficiary"("entryDate");
CREATE INDEX "Beneficiary_exitDate_idx" ON "Beneficiary"("exitDate");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


-- Existing rows: a case entered the platform when it was opened; a case already at the exited
-- stage left at its last change, outcome not recorded (autre sortie, unknown)
UPDATE "Beneficiary" SET "entryDate" = "createdAt";
UPDATE "Beneficiary" SET "exitDate" = "updatedAt", "exitOutcome" = 'other', "exitDetail" = 'unknown' WHERE "stage" = 'exited' AND "exitDate" IS NULL;
