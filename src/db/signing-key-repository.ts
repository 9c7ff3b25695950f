import type { DbClient } from './database.js';

export type KeyState = 'next' | 'active' | 'retired' | 'revoked';

export interface SigningKeyRecord {
  kid: string;
  alg: string;
  state: string;
  publicJwk: string;
  privateJwe: string | null;
  createdAt: Date;
  publishedAt: Date;
  activatedAt: Date | null;
  retiredAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export type NewSigningKey = Pick<SigningKeyRecord, 'kid' | 'alg' | 'state' | 'publicJwk' | 'privateJwe' | 'publishedAt' | 'activatedAt'>;

/** Arbitrary constant shared by all instances: serialises key-set changes on PostgreSQL. */
const KEYS_LOCK_ID = 7_275_636_174;

export function createSigningKeyRepository(prisma: DbClient, provider: 'sqlite' | 'postgresql') {
  return {
    list(): Promise<SigningKeyRecord[]> {
      return prisma.signingKey.findMany({ orderBy: { createdAt: 'asc' } });
    },
    /** Keys that belong in the JWKS: next, active and retired. */
    listPublished(): Promise<SigningKeyRecord[]> {
      return prisma.signingKey.findMany({
        where: { state: { in: ['next', 'active', 'retired'] } },
        orderBy: { createdAt: 'asc' },
      });
    },
    /**
     * Runs `fn` with the key table to itself: on PostgreSQL under a transaction-scoped advisory
     * lock (so two instances starting at once do not both create keys). On SQLite a no-op write
     * comes first: Prisma opens a deferred transaction, and two of those that read and then write
     * deadlock; writing first takes the write lock before anything is read.
     */
    async exclusive<T>(fn: (repo: { list(): Promise<SigningKeyRecord[]>; create(key: NewSigningKey): Promise<void> }) => Promise<T>): Promise<T> {
      return prisma.$transaction(
        async (tx) => {
          if (provider === 'postgresql') await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${KEYS_LOCK_ID})`);
          else await tx.$executeRawUnsafe('UPDATE "signing_key" SET "kid" = "kid" WHERE 0');
          return fn({
            list: () => tx.signingKey.findMany({ orderBy: { createdAt: 'asc' } }),
            create: async (key) => {
              await tx.signingKey.create({ data: key });
            },
          });
        },
        { timeout: 60_000, maxWait: 60_000 },
      );
    },
  };
}

export type SigningKeyRepository = ReturnType<typeof createSigningKeyRepository>;
