// Admin console sessions, keyed by a digest of the session id (the cookie holds the id itself).
import type { DbClient } from './database.js';

export interface ConsoleSessionRecord {
  userId: string;
  expiresAt: Date;
  /** The sign-in that started it gave a second factor. */
  mfa: boolean;
}

export function createConsoleSessionRepository(prisma: DbClient) {
  return {
    async create(key: string, userId: string, expiresAt: Date, mfa: boolean): Promise<void> {
      await prisma.consoleSession.create({ data: { id: key, userId, expiresAt, mfa } });
    },
    /** The live session under `key`; expiry is decided in the query. */
    find(key: string, now: Date): Promise<ConsoleSessionRecord | null> {
      return prisma.consoleSession.findFirst({ where: { id: key, expiresAt: { gt: now } }, select: { userId: true, expiresAt: true, mfa: true } });
    },
    async delete(key: string): Promise<void> {
      await prisma.consoleSession.deleteMany({ where: { id: key } });
    },
    async deleteForUser(userId: string): Promise<number> {
      const { count } = await prisma.consoleSession.deleteMany({ where: { userId } });
      return count;
    },
    async deleteExpired(now: Date): Promise<number> {
      const { count } = await prisma.consoleSession.deleteMany({ where: { expiresAt: { lte: now } } });
      return count;
    },
  };
}

export type ConsoleSessionRepository = ReturnType<typeof createConsoleSessionRepository>;
