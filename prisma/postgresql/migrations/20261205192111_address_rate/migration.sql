-- CreateTable
CREATE TABLE "AddressRate" (
    "key" TEXT NOT NULL,
    "dueMs" BIGINT NOT NULL,
    "allowed" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "AddressRate_pkey" PRIMARY KEY ("key")
);

