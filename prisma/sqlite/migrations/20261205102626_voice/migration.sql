-- AlterTable
ALTER TABLE "Beneficiary" ADD COLUMN "voiceMode" TEXT;

-- CreateTable
CREATE TABLE "VoiceUpload" (
    "clipId" TEXT NOT NULL PRIMARY KEY,
    "mediaId" TEXT NOT NULL,
    "uploadedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

