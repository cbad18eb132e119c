-- AlterTable
ALTER TABLE "Beneficiary" ADD COLUMN     "entryDate" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "exitDate" TIMESTAMP(3),
ADD COLUMN     "exitDetail" TEXT,
ADD COLUMN     "exitOutcome" TEXT;

-- CreateIndex
CREATE INDEX "Beneficiary_entryDate_idx" ON "Beneficiary"("entryDate");

-- CreateIndex
CREATE INDEX "Beneficiary_exitDate_idx" ON "Beneficiary"("exitDate");


-- Existing rows: a case entered the platform when it was opened; a case already at the exited
-- stage left at its last change, outcome not recorded (autre sortie, unknown)
UPDATE "Beneficiary" SET "entryDate" = "createdAt";
UPDATE "Beneficiary" SET "exitDate" = "updatedAt", "exitOutcome" = 'other', "exitDetail" = 'unknown' WHERE "stage" = 'exited' AND "exitDate" IS NULL;
