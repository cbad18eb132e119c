-- AlterTable
ALTER TABLE "Beneficiary" ADD COLUMN     "archivedAt" TIMESTAMP(3),
ADD COLUMN     "erasedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "StaffUser" ADD COLUMN     "passwordSetAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "LoginThrottle" (
    "key" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "lockedUntil" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LoginThrottle_pkey" PRIMARY KEY ("key")
);


-- Existing rows: archived cases count from their last change, passwords from the account's last change
UPDATE "Beneficiary" SET "archivedAt" = "updatedAt" WHERE "status" = 'archived';
UPDATE "StaffUser" SET "passwordSetAt" = "updatedAt" WHERE "passwordHash" IS NOT NULL;
