-- AlterTable
ALTER TABLE "ConversationRef" ADD COLUMN     "paceDueAt" TIMESTAMP(3);

