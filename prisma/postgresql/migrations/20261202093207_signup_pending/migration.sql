-- AlterTable
ALTER TABLE "user" ADD COLUMN     "signupPending" BOOLEAN NOT NULL DEFAULT false;

