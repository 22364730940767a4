-- AlterTable
ALTER TABLE "run" ADD COLUMN     "debug" JSONB,
ADD COLUMN     "resume_mode" TEXT,
ADD COLUMN     "resume_seq" INTEGER NOT NULL DEFAULT 0;
