import type { DbClient } from './database.js';

export interface SigningKeyRecord {
  kid: string;
  alg: string;
  state: string;
  publicJwk: string;
  privateJwe: string | null;
  hsmKeyId: string | null;
  createdAt: Date;
  publishedAt: Date;
  activatedAt: Date | null;
  retiredAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export type NewSigningKey = Pick<SigningKeyRecord, 'kid' | 'alg' | 'state' | 'publicJwk' | 'privateJwe' | 'hsmKeyId' | 'publishedAt' | 'activatedAt'>;
export type SigningKeyUpdate = Partial<Pick<SigningKeyRecord, 'state' | 'privateJwe' | 'hsmKeyId' | 'activatedAt' | 'retiredAt' | 'expiresAt' | 'revokedAt'>>;

/** The key table inside one transaction that holds the key-set lock. */
export interface LockedSigningKeys {
  list(): Promise<SigningKeyRecord[]>;
  create(key: NewSigningKey): Promise<void>;
  update(kid: string, data: SigningKeyUpdate): Promise<void>;
  delete(kid: string): Promise<void>;
}

/** Arbitrary constant shared by all instances: serialises key-set changes on PostgreSQL. */
const KEYS_LOCK_ID = 7_275_636_174;
const ORDER = { orderBy: [{ createdAt: 'asc' as const }, { kid: 'asc' as const }] };

export function createSigningKeyRepository(prisma: DbClient, provider: 'sqlite' | 'postgresql') {
  return {
    list(): Promise<SigningKeyRecord[]> {
      return prisma.signingKey.findMany(ORDER);
    },

    /**
     * The database server's clock. Every instance takes key decisions by it, so one instance with
     * a fast clock cannot rotate, delete or publish early for all (SQLite has one host anyway).
     */
    async databaseTime(): Promise<Date> {
      if (provider === 'postgresql') {
        const rows = await prisma.$queryRawUnsafe<{ now: Date }[]>('SELECT clock_timestamp() AS now');
        return new Date(rows[0]!.now);
      }
      const rows = await prisma.$queryRawUnsafe<{ now: string }[]>("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now') AS now");
      return new Date(rows[0]!.now);
    },

    /** Re-seals one key's private JWK (secret rotation); the key's state is untouched. */
    async reseal(kid: string, privateJwe: string): Promise<void> {
      await prisma.signingKey.updateMany({ where: { kid, privateJwe: { not: null } }, data: { privateJwe } });
    },

    /**
     * Runs `fn` with the key table to itself, in one transaction: on PostgreSQL under a
     * transaction-scoped advisory lock (instances changing keys at the same moment take turns,
     * and each re-reads what the other did). On SQLite a no-op write comes first: Prisma opens a
     * deferred transaction, and two of those that read and then write deadlock; writing first
     * takes the write lock before anything is read.
     */
    async exclusive<T>(fn: (keys: LockedSigningKeys) => Promise<T>): Promise<T> {
      return prisma.$transaction(
        async (tx) => {
          if (provider === 'postgresql') await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${KEYS_LOCK_ID})`);
          else await tx.$executeRawUnsafe('UPDATE "signing_key" SET "kid" = "kid" WHERE 0');
          return fn({
            list: () => tx.signingKey.findMany(ORDER),
            create: async (key) => {
              await tx.signingKey.create({ data: key });
            },
            update: async (kid, data) => {
              await tx.signingKey.update({ where: { kid }, data });
            },
            delete: async (kid) => {
              await tx.signingKey.delete({ where: { kid } });
            },
          });
        },
        { timeout: 60_000, maxWait: 60_000 },
      );
    },
  };
}

export type SigningKeyRepository = ReturnType<typeof createSigningKeyRepository>;
