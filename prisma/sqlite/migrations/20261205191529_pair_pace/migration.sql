-- AlterTable
ALTER TABLE "ConversationRef" ADD COLUMN "paceDueAt" DATETIME;

