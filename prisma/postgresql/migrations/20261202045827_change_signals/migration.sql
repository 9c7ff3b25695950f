-- CreateTable
CREATE TABLE "change_signal" (
    "topic" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "change_signal_pkey" PRIMARY KEY ("topic")
);

