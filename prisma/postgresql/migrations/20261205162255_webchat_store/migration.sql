-- CreateTable
CREATE TABLE "WebChatConversation" (
    "id" TEXT NOT NULL,
    "userId" TEXT,
    "locale" TEXT,
    "started" BOOLEAN NOT NULL DEFAULT false,
    "lastSeq" INTEGER NOT NULL DEFAULT 0,
    "firstSeq" INTEGER NOT NULL DEFAULT 1,
    "bytes" INTEGER NOT NULL DEFAULT 0,
    "lastActiveAt" TIMESTAMP(3) NOT NULL,
    "lastPolledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebChatConversation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebChatToken" (
    "hash" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WebChatToken_pkey" PRIMARY KEY ("hash")
);

-- CreateTable
CREATE TABLE "WebChatActivity" (
    "conversationId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "activity" TEXT NOT NULL,
    "bytes" INTEGER NOT NULL,

    CONSTRAINT "WebChatActivity_pkey" PRIMARY KEY ("conversationId","seq")
);

-- CreateIndex
CREATE INDEX "WebChatConversation_lastActiveAt_idx" ON "WebChatConversation"("lastActiveAt");

-- CreateIndex
CREATE INDEX "WebChatToken_conversationId_idx" ON "WebChatToken"("conversationId");

-- CreateIndex
CREATE INDEX "WebChatToken_expiresAt_idx" ON "WebChatToken"("expiresAt");

-- AddForeignKey
ALTER TABLE "WebChatToken" ADD CONSTRAINT "WebChatToken_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "WebChatConversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebChatActivity" ADD CONSTRAINT "WebChatActivity_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "WebChatConversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

