-- DropIndex
DROP INDEX "Message_conversationId_id_idx";

