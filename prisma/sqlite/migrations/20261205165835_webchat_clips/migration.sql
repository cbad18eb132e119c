-- CreateTable
CREATE TABLE "WebChatClip" (
    "conversationId" TEXT NOT NULL,
    "clipId" TEXT NOT NULL,
    "audio" BLOB NOT NULL,
    "expiresAt" DATETIME NOT NULL,

    PRIMARY KEY ("conversationId", "clipId"),
    CONSTRAINT "WebChatClip_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "WebChatConversation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "WebChatClip_expiresAt_idx" ON "WebChatClip"("expiresAt");

