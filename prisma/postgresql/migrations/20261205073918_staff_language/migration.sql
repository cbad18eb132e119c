-- AlterTable
ALTER TABLE "StaffUser" ADD COLUMN     "language" TEXT NOT NULL DEFAULT 'fr';

