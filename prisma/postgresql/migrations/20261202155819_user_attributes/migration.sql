-- AlterTable
ALTER TABLE "user" ADD COLUMN     "attributes" TEXT NOT NULL DEFAULT '{}';
