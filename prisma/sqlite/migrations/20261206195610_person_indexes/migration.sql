-- DropIndex
DROP INDEX "Placement_beneficiaryId_idx";

-- CreateIndex
CREATE INDEX "Placement_beneficiaryId_kind_startDate_idx" ON "Placement"("beneficiaryId", "kind", "startDate");

-- CreateIndex
CREATE INDEX "Message_contactId_status_idx" ON "Message"("contactId", "status");

