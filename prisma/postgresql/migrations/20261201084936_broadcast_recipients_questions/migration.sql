-- CreateTable
CREATE TABLE "BroadcastRecipient" (
    "id" SERIAL NOT NULL,
    "broadcastId" INTEGER NOT NULL,
    "beneficiaryId" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "messageId" INTEGER,
    "answer" TEXT,
    "answeredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BroadcastRecipient_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProactiveQuestion" (
    "id" SERIAL NOT NULL,
    "beneficiaryId" INTEGER,
    "contactId" INTEGER,
    "kind" TEXT NOT NULL,
    "refId" INTEGER NOT NULL,
    "messageId" INTEGER NOT NULL,
    "answeredAt" TIMESTAMP(3),
    "answer" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProactiveQuestion_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "BroadcastRecipient" ADD CONSTRAINT "BroadcastRecipient_broadcastId_fkey" FOREIGN KEY ("broadcastId") REFERENCES "Broadcast"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BroadcastRecipient" ADD CONSTRAINT "BroadcastRecipient_beneficiaryId_fkey" FOREIGN KEY ("beneficiaryId") REFERENCES "Beneficiary"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

