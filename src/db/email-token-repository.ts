// Single-use links sent by mail, keyed by a digest of the token (the mail holds the token itself).
import type { DbClient } from './database.js';

export interface EmailTokenRecord {
  id: string;
  purpose: string;
  userId: string;
  email: string;
  expiresAt: Date;
}

export function createEmailTokenRepository(prisma: DbClient) {
  return {
    /** Stores a link and voids the person's older links of the same purpose, in one transaction. */
    async replace(record: EmailTokenRecord, now: Date): Promise<void> {
      await prisma.$transaction([
        prisma.emailToken.deleteMany({ where: { OR: [{ userId: record.userId, purpose: record.purpose }, { expiresAt: { lte: now } }] } }),
        prisma.emailToken.create({ data: record }),
      ]);
    },
    /** The live link under `id` for `purpose`; expiry is decided in the query. */
    find(id: string, purpose: string, now: Date): Promise<EmailTokenRecord | null> {
      return prisma.emailToken.findFirst({
        where: { id, purpose, expiresAt: { gt: now } },
        select: { id: true, purpose: true, userId: true, email: true, expiresAt: true },
      });
    },
    /** Deletes the link; true for the one caller that deleted it (a second use finds nothing). */
    async take(id: string): Promise<boolean> {
      const { count } = await prisma.emailToken.deleteMany({ where: { id } });
      return count === 1;
    },
    async deleteForUser(userId: string, purposes: readonly string[]): Promise<number> {
      const { count } = await prisma.emailToken.deleteMany({ where: { userId, purpose: { in: [...purposes] } } });
      return count;
    },
    async deleteExpired(now: Date): Promise<number> {
      const { count } = await prisma.emailToken.deleteMany({ where: { expiresAt: { lte: now } } });
      return count;
    },
  };
}

export type EmailTokenRepository = ReturnType<typeof createEmailTokenRepository>;
