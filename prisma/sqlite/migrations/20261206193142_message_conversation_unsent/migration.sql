-- CreateIndex
CREATE INDEX "Message_conversationId_direction_status_id_idx" ON "Message"("conversationId", "direction", "status", "id");

