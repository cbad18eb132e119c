-- AlterTable
ALTER TABLE "Beneficiary" ADD COLUMN     "voiceMode" TEXT;

-- CreateTable
CREATE TABLE "VoiceUpload" (
    "clipId" TEXT NOT NULL,
    "mediaId" TEXT NOT NULL,
    "uploadedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "VoiceUpload_pkey" PRIMARY KEY ("clipId")
);

