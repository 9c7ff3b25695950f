// Signed-in admin console sessions, held on the server: signing out ends one for good (a copied
// cookie dies with it), and the store keeps only a digest of each session id, so a copy of the
// database holds nothing a browser could present.
import { createHash, randomBytes } from 'node:crypto';
import type { ConsoleSessionRepository } from '../../db/console-session-repository.js';

const keyOf = (sessionId: string) => createHash('sha256').update(sessionId).digest('base64url');
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export function createConsoleSessionService(repo: ConsoleSessionRepository, now: () => Date = () => new Date()) {
  return {
    /** Starts a session for `userId`; returns its id, for the cookie only. */
    async start(userId: string, lifetimeMs: number): Promise<string> {
      const sessionId = randomBytes(32).toString('base64url');
      await repo.create(keyOf(sessionId), userId, new Date(now().getTime() + lifetimeMs));
      return sessionId;
    },

    /** The user of a live session; undefined for an unknown, ended or expired one. */
    async userOf(sessionId: string): Promise<string | undefined> {
      if (!SESSION_ID.test(sessionId)) return undefined;
      return (await repo.find(keyOf(sessionId), now()))?.userId;
    },

    end(sessionId: string): Promise<void> {
      return SESSION_ID.test(sessionId) ? repo.delete(keyOf(sessionId)) : Promise.resolve();
    },

    /** Ends every console session of a person (disabled, deleted, no longer an admin). */
    endAllFor(userId: string): Promise<number> {
      return repo.deleteForUser(userId);
    },

    deleteExpired: (at: Date) => repo.deleteExpired(at),
  };
}

export type ConsoleSessionService = ReturnType<typeof createConsoleSessionService>;
