-- CreateTable
CREATE TABLE "SendClock" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "nextAtUs" BIGINT NOT NULL
);

