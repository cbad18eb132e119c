-- AlterTable
ALTER TABLE "ConversationRef" ADD COLUMN "altUserKey" TEXT;

-- CreateIndex
CREATE INDEX "ConversationRef_channel_altUserKey_idx" ON "ConversationRef"("channel", "altUserKey");

