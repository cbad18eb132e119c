-- CreateTable
CREATE TABLE "AddressRate" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "dueMs" BIGINT NOT NULL,
    "allowed" BOOLEAN NOT NULL DEFAULT true
);

