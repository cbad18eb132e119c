-- DropIndex
DROP INDEX "Booking_sessionId_status_createdAt_idx";

-- AlterTable
ALTER TABLE "Booking" ADD COLUMN     "waitlistedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Booking_sessionId_status_waitlistedAt_idx" ON "Booking"("sessionId", "status", "waitlistedAt");

