-- AlterTable
ALTER TABLE "signing_key" ADD COLUMN "hsmKeyId" TEXT;

