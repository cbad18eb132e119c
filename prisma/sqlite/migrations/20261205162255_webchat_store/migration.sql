-- CreateTable
CREATE TABLE "WebChatConversation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT,
    "locale" TEXT,
    "started" BOOLEAN NOT NULL DEFAULT false,
    "lastSeq" INTEGER NOT NULL DEFAULT 0,
    "firstSeq" INTEGER NOT NULL DEFAULT 1,
    "bytes" INTEGER NOT NULL DEFAULT 0,
    "lastActiveAt" DATETIME NOT NULL,
    "lastPolledAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "WebChatToken" (
    "hash" TEXT NOT NULL PRIMARY KEY,
    "conversationId" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    CONSTRAINT "WebChatToken_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "WebChatConversation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "WebChatActivity" (
    "conversationId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "activity" TEXT NOT NULL,
    "bytes" INTEGER NOT NULL,

    PRIMARY KEY ("conversationId", "seq"),
    CONSTRAINT "WebChatActivity_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "WebChatConversation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "WebChatConversation_lastActiveAt_idx" ON "WebChatConversation"("lastActiveAt");

-- CreateIndex
CREATE INDEX "WebChatToken_conversationId_idx" ON "WebChatToken"("conversationId");

-- CreateIndex
CREATE INDEX "WebChatToken_expiresAt_idx" ON "WebChatToken"("expiresAt");

