// A person's browser sessions and grants, and ending them. Ending a grant removes everything
// issued under it (access and refresh tokens, codes), so their apps lose their tokens at once;
// ending a session signs the browser out of Sesame. Disabling or deleting a user ends them all,
// whichever way it is done (CLI, admin API, console).
import type { AccountPayload, OidcPayloadRepository } from '../../db/oidc-payload-repository.js';
import { storedKeyFor } from '../../db/payload-at-rest.js';
import { NotFoundError } from '../errors.js';

export interface SessionPayload {
  uid?: string;
  loginTs?: number;
  authorizations?: Record<string, { grantId?: string }>;
}

export interface Revocation {
  revoked_sessions: number;
  revoked_grants: number;
}

/** A Grant row is keyed by the grant's own id: grant ids are references, not bearer secrets. */
export const grantIdOf = (grant: AccountPayload): string => grant.key;

function grantIdsOf(session: AccountPayload): string[] {
  return Object.values((session.payload as SessionPayload).authorizations ?? {})
    .map((a) => a.grantId)
    .filter((id): id is string => typeof id === 'string');
}

export function createUserSessionService(payloads: OidcPayloadRepository) {
  /** Ends grants (with every token issued under them) and then sessions (rows as listed). */
  async function revoke(sessions: AccountPayload[], grantIds: string[]): Promise<Revocation> {
    for (const grantId of grantIds) await payloads.revokeByGrantId(grantId);
    const revokedGrants = await payloads.destroyMany(
      'Grant',
      grantIds.map((id) => storedKeyFor('Grant', id)),
    );
    const revokedSessions = await payloads.destroyMany(
      'Session',
      sessions.map((s) => s.key),
    );
    return { revoked_sessions: revokedSessions, revoked_grants: revokedGrants };
  }

  async function list(accountId: string): Promise<{ sessions: AccountPayload[]; grants: AccountPayload[] }> {
    const rows = await payloads.findByAccountId(['Session', 'Grant'], accountId);
    return { sessions: rows.filter((r) => r.model === 'Session'), grants: rows.filter((r) => r.model === 'Grant') };
  }

  return {
    list,

    /** Ends every session and grant of a person. */
    async revokeAll(accountId: string): Promise<Revocation> {
      const { sessions, grants } = await list(accountId);
      // Grants named by a session but already gone from the table still have their tokens removed.
      const grantIds = new Set([...grants.map(grantIdOf), ...sessions.flatMap(grantIdsOf)]);
      return revoke(sessions, [...grantIds]);
    },

    /** Ends one session (named by its uid: its id is the cookie value, stored only as a digest) and its grants. */
    async revokeOne(accountId: string, sessionUid: string): Promise<Revocation> {
      const { sessions } = await list(accountId);
      const session = sessions.find((s) => (s.payload as SessionPayload).uid === sessionUid);
      if (!session) throw new NotFoundError(`user ${accountId} has no session ${sessionUid}`);
      return revoke([session], [...new Set(grantIdsOf(session))]);
    },
  };
}

export type UserSessionService = ReturnType<typeof createUserSessionService>;
