-- AlterTable
ALTER TABLE "console_session" ADD COLUMN     "mfa" BOOLEAN NOT NULL DEFAULT false;

