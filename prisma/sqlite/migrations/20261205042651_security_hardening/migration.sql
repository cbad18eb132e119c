-- AlterTable
ALTER TABLE "Beneficiary" ADD COLUMN "archivedAt" DATETIME;
ALTER TABLE "Beneficiary" ADD COLUMN "erasedAt" DATETIME;

-- AlterTable
ALTER TABLE "StaffUser" ADD COLUMN "passwordSetAt" DATETIME;

-- CreateTable
CREATE TABLE "LoginThrottle" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "windowStart" DATETIME NOT NULL,
    "lockedUntil" DATETIME,
    "updatedAt" DATETIME NOT NULL
);


-- Existing rows: archived cases count from their last change, passwords from the account's last change
UPDATE "Beneficiary" SET "archivedAt" = "updatedAt" WHERE "status" = 'archived';
UPDATE "StaffUser" SET "passwordSetAt" = "updatedAt" WHERE "passwordHash" IS NOT NULL;
