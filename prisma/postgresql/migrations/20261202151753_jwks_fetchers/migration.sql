-- CreateTable
CREATE TABLE "jwks_fetcher" (
    "id" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,
    "fetches" INTEGER NOT NULL,
    "kids" TEXT NOT NULL,

    CONSTRAINT "jwks_fetcher_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "key_activation_hold" (
    "kid" TEXT NOT NULL,
    "alg" TEXT NOT NULL,
    "heldSince" TIMESTAMP(3) NOT NULL,
    "releasedAt" TIMESTAMP(3),

    CONSTRAINT "key_activation_hold_pkey" PRIMARY KEY ("kid")
);

-- CreateIndex
CREATE INDEX "jwks_fetcher_lastSeenAt_idx" ON "jwks_fetcher"("lastSeenAt");

