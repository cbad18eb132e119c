-- DropIndex
DROP INDEX "Booking_sessionId_status_createdAt_idx";

-- AlterTable
ALTER TABLE "Booking" ADD COLUMN "waitlistedAt" DATETIME;

-- CreateIndex
CREATE INDEX "Booking_sessionId_status_waitlistedAt_idx" ON "Booking"("sessionId", "status", "waitlistedAt");

