-- CreateTable
CREATE TABLE "BroadcastRecipient" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "broadcastId" INTEGER NOT NULL,
    "beneficiaryId" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "messageId" INTEGER,
    "answer" TEXT,
    "answeredAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "BroadcastRecipient_broadcastId_fkey" FOREIGN KEY ("broadcastId") REFERENCES "Broadcast" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "BroadcastRecipient_beneficiaryId_fkey" FOREIGN KEY ("beneficiaryId") REFERENCES "Beneficiary" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ProactiveQuestion" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "beneficiaryId" INTEGER,
    "contactId" INTEGER,
    "kind" TEXT NOT NULL,
    "refId" INTEGER NOT NULL,
    "messageId" INTEGER NOT NULL,
    "answeredAt" DATETIME,
    "answer" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "BroadcastRecipient_messageId_key" ON "BroadcastRecipient"("messageId");

-- CreateIndex
CREATE INDEX "BroadcastRecipient_beneficiaryId_idx" ON "BroadcastRecipient"("beneficiaryId");

-- CreateIndex
CREATE UNIQUE INDEX "BroadcastRecipient_broadcastId_beneficiaryId_key" ON "BroadcastRecipient"("broadcastId", "beneficiaryId");

-- CreateIndex
CREATE UNIQUE INDEX "ProactiveQuestion_messageId_key" ON "ProactiveQuestion"("messageId");

-- CreateIndex
CREATE INDEX "ProactiveQuestion_beneficiaryId_id_idx" ON "ProactiveQuestion"("beneficiaryId", "id");

-- CreateIndex
CREATE INDEX "ProactiveQuestion_contactId_id_idx" ON "ProactiveQuestion"("contactId", "id");

