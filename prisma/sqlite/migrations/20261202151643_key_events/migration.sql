-- CreateTable
CREATE TABLE "key_event" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "type" TEXT NOT NULL,
    "kid" TEXT,
    "event" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispatchedAt" DATETIME
);

-- CreateTable
CREATE TABLE "key_event_delivery" (
    "eventId" TEXT NOT NULL,
    "receiver" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME,
    "leaseUntil" DATETIME,
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "lastAttemptAt" DATETIME,
    "deliveredAt" DATETIME,

    PRIMARY KEY ("eventId", "receiver"),
    CONSTRAINT "key_event_delivery_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "key_event" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "key_event_dispatchedAt_idx" ON "key_event"("dispatchedAt");

-- CreateIndex
CREATE INDEX "key_event_createdAt_idx" ON "key_event"("createdAt");

-- CreateIndex
CREATE INDEX "key_event_delivery_state_nextAttemptAt_idx" ON "key_event_delivery"("state", "nextAttemptAt");

