-- CreateIndex
CREATE INDEX "Message_beneficiaryId_status_idx" ON "Message"("beneficiaryId", "status");

