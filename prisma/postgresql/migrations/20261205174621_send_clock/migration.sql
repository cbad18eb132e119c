-- CreateTable
CREATE TABLE "SendClock" (
    "key" TEXT NOT NULL,
    "nextAtUs" BIGINT NOT NULL,

    CONSTRAINT "SendClock_pkey" PRIMARY KEY ("key")
);

