-- Partial indexes on oidc_payload: grantId, uid and userCode are set on few of the rows (a grant's
-- tokens and codes; interactions and sessions; device codes), and every lookup by them names a
-- value, which a NULL never matches. Indexing only the rows that carry one leaves most inserts
-- (client-credentials and access tokens without these columns) two or three index writes lighter.
-- Prisma's schema language cannot say "WHERE" on an index: prisma/models.prisma keeps them as plain
-- @@index lines, and this migration is written by hand.
DROP INDEX "oidc_payload_grantId_idx";
CREATE INDEX "oidc_payload_grantId_idx" ON "oidc_payload"("grantId") WHERE "grantId" IS NOT NULL;

DROP INDEX "oidc_payload_model_uid_idx";
CREATE INDEX "oidc_payload_model_uid_idx" ON "oidc_payload"("model", "uid") WHERE "uid" IS NOT NULL;

DROP INDEX "oidc_payload_model_userCode_idx";
CREATE INDEX "oidc_payload_model_userCode_idx" ON "oidc_payload"("model", "userCode") WHERE "userCode" IS NOT NULL;
