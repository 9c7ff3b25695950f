// Signed-in admin console sessions, held on the server: signing out ends one for good (a copied
// cookie dies with it), and the store keeps only a digest of each session id, so a copy of the
// database holds nothing a browser could present.
import { createHash, randomBytes } from 'node:crypto';
import type { ConsoleSessionRepository } from '../../db/console-session-repository.js';

const keyOf = (sessionId: string) => createHash('sha256').update(sessionId).digest('base64url');
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export function createConsoleSessionService(repo: ConsoleSessionRepository, now: () => Date = () => new Date()) {
  return {
    /**
     * Starts a session for `userId`; returns its id, for the cookie only. `mfa`: the sign-in gave a
     * second factor (MFA_POLICY may require one of an admin, checked on every request).
     */
    async start(userId: string, lifetimeMs: number, mfa = false): Promise<string> {
      const sessionId = randomBytes(32).toString('base64url');
      await repo.create(keyOf(sessionId), userId, new Date(now().getTime() + lifetimeMs), mfa);
      return sessionId;
    },

    /** The user of a live session, and whether it began with MFA; undefined for an unknown, ended or expired one. */
    async find(sessionId: string): Promise<{ userId: string; mfa: boolean } | undefined> {
      if (!SESSION_ID.test(sessionId)) return undefined;
      const record = await repo.find(keyOf(sessionId), now());
      return record ? { userId: record.userId, mfa: record.mfa } : undefined;
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
