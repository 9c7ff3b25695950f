-- CreateTable
CREATE TABLE "key_event" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "kid" TEXT,
    "event" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispatchedAt" TIMESTAMP(3),

    CONSTRAINT "key_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "key_event_delivery" (
    "eventId" TEXT NOT NULL,
    "receiver" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3),
    "leaseUntil" TIMESTAMP(3),
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "lastAttemptAt" TIMESTAMP(3),
    "deliveredAt" TIMESTAMP(3),

    CONSTRAINT "key_event_delivery_pkey" PRIMARY KEY ("eventId","receiver")
);

-- CreateIndex
CREATE INDEX "key_event_dispatchedAt_idx" ON "key_event"("dispatchedAt");

-- CreateIndex
CREATE INDEX "key_event_createdAt_idx" ON "key_event"("createdAt");

-- CreateIndex
CREATE INDEX "key_event_delivery_state_nextAttemptAt_idx" ON "key_event_delivery"("state", "nextAttemptAt");

-- AddForeignKey
ALTER TABLE "key_event_delivery" ADD CONSTRAINT "key_event_delivery_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "key_event"("id") ON DELETE CASCADE ON UPDATE CASCADE;

