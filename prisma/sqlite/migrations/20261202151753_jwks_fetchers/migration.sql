-- CreateTable
CREATE TABLE "jwks_fetcher" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "firstSeenAt" DATETIME NOT NULL,
    "lastSeenAt" DATETIME NOT NULL,
    "fetches" INTEGER NOT NULL,
    "kids" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "key_activation_hold" (
    "kid" TEXT NOT NULL PRIMARY KEY,
    "alg" TEXT NOT NULL,
    "heldSince" DATETIME NOT NULL,
    "releasedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "jwks_fetcher_lastSeenAt_idx" ON "jwks_fetcher"("lastSeenAt");

