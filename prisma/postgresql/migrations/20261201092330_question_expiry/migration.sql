-- AlterTable
ALTER TABLE "ProactiveQuestion" ADD COLUMN     "askedAgainAt" TIMESTAMP(3),
ADD COLUMN     "expiresAt" TIMESTAMP(3);

