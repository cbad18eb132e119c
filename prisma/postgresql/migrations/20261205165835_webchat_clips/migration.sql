-- CreateTable
CREATE TABLE "WebChatClip" (
    "conversationId" TEXT NOT NULL,
    "clipId" TEXT NOT NULL,
    "audio" BYTEA NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WebChatClip_pkey" PRIMARY KEY ("conversationId","clipId")
);

-- CreateIndex
CREATE INDEX "WebChatClip_expiresAt_idx" ON "WebChatClip"("expiresAt");

-- AddForeignKey
ALTER TABLE "WebChatClip" ADD CONSTRAINT "WebChatClip_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "WebChatConversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

