// Passkeys (WebAuthn credentials) and their single-use challenges. Every query that reads or
// changes one person's passkey names the person too, so a form naming another person's passkey
// finds nothing.
import type { DbClient } from './database.js';

export interface PasskeyRecord {
  id: string;
  userId: string;
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  name: string;
  deviceType: string;
  backedUp: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export type NewPasskey = Omit<PasskeyRecord, 'createdAt' | 'lastUsedAt'>;

export interface ChallengeRecord {
  id: string;
  purpose: string;
  subject: string;
  challenge: string;
  expiresAt: Date;
}

interface PasskeyRow extends Omit<PasskeyRecord, 'counter' | 'transports'> {
  counter: bigint;
  transports: string;
}

function parseTransports(value: string): string[] {
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

const toRecord = (row: PasskeyRow): PasskeyRecord => ({ ...row, counter: Number(row.counter), transports: parseTransports(row.transports) });

export function createPasskeyRepository(prisma: DbClient) {
  return {
    async create(passkey: NewPasskey): Promise<PasskeyRecord> {
      const row = await prisma.passkey.create({
        data: { ...passkey, counter: BigInt(passkey.counter), transports: JSON.stringify(passkey.transports) },
      });
      return toRecord(row);
    },
    async listFor(userId: string): Promise<PasskeyRecord[]> {
      const rows = await prisma.passkey.findMany({ where: { userId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
      return rows.map(toRecord);
    },
    async findByCredentialId(credentialId: string): Promise<PasskeyRecord | undefined> {
      const row = await prisma.passkey.findUnique({ where: { credentialId } });
      return row ? toRecord(row) : undefined;
    },
    /**
     * Records a use: the new counter, when, and whether it is backed up now. Only when the stored
     * counter is still the one the check read, so two uses of one signature cannot both count.
     */
    async recordUse(id: string, seenCounter: number, use: { counter: number; at: Date; backedUp: boolean; deviceType: string }): Promise<boolean> {
      const { count } = await prisma.passkey.updateMany({
        where: { id, counter: BigInt(seenCounter) },
        data: { counter: BigInt(use.counter), lastUsedAt: use.at, backedUp: use.backedUp, deviceType: use.deviceType },
      });
      return count === 1;
    },
    async rename(userId: string, id: string, name: string): Promise<PasskeyRecord | undefined> {
      const { count } = await prisma.passkey.updateMany({ where: { id, userId }, data: { name } });
      if (count !== 1) return undefined;
      const row = await prisma.passkey.findUnique({ where: { id } });
      return row ? toRecord(row) : undefined;
    },
    /** Deletes one of the person's passkeys; what it was, or undefined when they have none by that id. */
    async remove(userId: string, id: string): Promise<PasskeyRecord | undefined> {
      const row = await prisma.passkey.findFirst({ where: { id, userId } });
      if (!row) return undefined;
      const { count } = await prisma.passkey.deleteMany({ where: { id, userId } });
      return count === 1 ? toRecord(row) : undefined;
    },
    async countFor(userId: string): Promise<number> {
      return prisma.passkey.count({ where: { userId } });
    },

    async saveChallenge(record: ChallengeRecord): Promise<void> {
      await prisma.passkeyChallenge.create({ data: record });
    },
    /** Deletes the live challenge and returns it; undefined when gone, expired or already taken. */
    async takeChallenge(id: string, now: Date): Promise<ChallengeRecord | undefined> {
      const row = await prisma.passkeyChallenge.findUnique({ where: { id } });
      if (!row) return undefined;
      const { count } = await prisma.passkeyChallenge.deleteMany({ where: { id } });
      if (count !== 1 || row.expiresAt.getTime() <= now.getTime()) return undefined;
      return row;
    },
    async deleteExpiredChallenges(now: Date): Promise<number> {
      const { count } = await prisma.passkeyChallenge.deleteMany({ where: { expiresAt: { lte: now } } });
      return count;
    },
  };
}

export type PasskeyRepository = ReturnType<typeof createPasskeyRepository>;
