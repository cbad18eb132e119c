-- AlterTable
ALTER TABLE "ProactiveQuestion" ADD COLUMN "askedAgainAt" DATETIME;
ALTER TABLE "ProactiveQuestion" ADD COLUMN "expiresAt" DATETIME;

