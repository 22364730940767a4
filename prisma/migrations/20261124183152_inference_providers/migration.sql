-- AlterTable
ALTER TABLE "run" ADD COLUMN     "provider_fallback" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "worker" ADD COLUMN     "provider_info" JSONB NOT NULL DEFAULT '[]';
