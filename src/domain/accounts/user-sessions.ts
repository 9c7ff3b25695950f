// A person's browser sessions and grants, and ending them. Ending a grant removes everything
// issued under it (access and refresh tokens, codes), so their apps lose their tokens at once;
// ending a session signs the browser out of Sesame. Disabling or deleting a user ends them all,
// whichever way it is done (CLI, admin API, console). What a stored session or grant holds is
// read through db/provider-payloads.ts; callers get these views, never oidc-provider's payloads.
// An admin's revocation is recorded here (`session.revoked`); the sessions that disabling or
// deleting a person ends are part of that change's own record.
import type { AccountPayload, OidcPayloadRepository } from '../../db/oidc-payload-repository.js';
import { storedKeyFor } from '../../db/payload-at-rest.js';
import { readGrant, readSession } from '../../db/provider-payloads.js';
import { SYSTEM, type AuditRecorder, type By } from '../audit/actions.js';
import { NotFoundError } from '../errors.js';

/** A browser session, named by its uid: its id is the cookie value and is never shown. */
export interface UserSession {
  uid: string;
  loginAt: Date | null;
  /** The apps signed in through this session. */
  clientIds: string[];
  createdAt: Date;
  expiresAt: Date | null;
}

export interface UserGrant {
  grantId: string;
  clientId: string | null;
  scope: string | null;
  /** Per resource indicator: the scope granted for it. */
  resources: Record<string, string>;
  createdAt: Date;
  expiresAt: Date | null;
}

export interface Revocation {
  revoked_sessions: number;
  revoked_grants: number;
}

/** A Grant row is keyed by the grant's own id: grant ids are references, not bearer secrets. */
const grantIdOf = (grant: AccountPayload): string => grant.key;

function sessionView(row: AccountPayload): UserSession {
  const { uid, loginAt, clientIds } = readSession(row.payload);
  return { uid: uid ?? '', loginAt: loginAt ?? null, clientIds, createdAt: row.createdAt, expiresAt: row.expiresAt };
}

function grantView(row: AccountPayload): UserGrant {
  const { clientId, scope, resources } = readGrant(row.payload);
  return { grantId: grantIdOf(row), clientId: clientId ?? null, scope: scope ?? null, resources, createdAt: row.createdAt, expiresAt: row.expiresAt };
}

export function createUserSessionService(payloads: OidcPayloadRepository, audit: AuditRecorder) {
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

  async function rowsOf(accountId: string): Promise<{ sessions: AccountPayload[]; grants: AccountPayload[] }> {
    const rows = await payloads.findByAccountId(['Session', 'Grant'], accountId);
    return { sessions: rows.filter((r) => r.model === 'Session'), grants: rows.filter((r) => r.model === 'Grant') };
  }

  /**
   * Ends every session of a person but `keepUid`, and every grant (with its tokens) that the kept
   * session does not hold: what a password change leaves standing is the browser that made it.
   */
  async function endAllExcept(accountId: string, keepUid: string | undefined): Promise<Revocation> {
    const { sessions, grants } = await rowsOf(accountId);
    const kept = sessions.find((s) => keepUid !== undefined && readSession(s.payload).uid === keepUid);
    const keptGrants = new Set(kept ? readSession(kept.payload).grantIds : []);
    const others = sessions.filter((s) => s !== kept);
    const grantIds = new Set([...grants.map(grantIdOf), ...others.flatMap((s) => readSession(s.payload).grantIds)]);
    return revoke(
      others,
      [...grantIds].filter((id) => !keptGrants.has(id)),
    );
  }

  /** Ends every session and grant of a person. */
  async function endAll(accountId: string): Promise<Revocation> {
    const { sessions, grants } = await rowsOf(accountId);
    // Grants named by a session but already gone from the table still have their tokens removed.
    const grantIds = new Set([...grants.map(grantIdOf), ...sessions.flatMap((s) => readSession(s.payload).grantIds)]);
    return revoke(sessions, [...grantIds]);
  }

  return {
    /** A person's live sessions and grants, oldest first. */
    async list(accountId: string): Promise<{ sessions: UserSession[]; grants: UserGrant[] }> {
      const { sessions, grants } = await rowsOf(accountId);
      return { sessions: sessions.map(sessionView), grants: grants.map(grantView) };
    },

    /** Ends every session and grant of a person, as part of another change that records it (disabling, deleting). */
    endAll,

    endAllExcept,

    /** A person signs out everywhere but here (the account page, recorded): endAllExcept. */
    async revokeOthers(accountId: string, keepUid: string, by: By): Promise<Revocation> {
      const revoked = await endAllExcept(accountId, keepUid);
      await audit.record(by, { action: 'session.revoked', target: `user:${accountId}`, details: { scope: 'others', kept_session_uid: keepUid, ...revoked } });
      return revoked;
    },

    /**
     * Ends one grant of a person (an app they disconnect on the account page) with every token
     * issued under it. A grant of anybody else is "not found", like one that does not exist.
     */
    async revokeGrant(accountId: string, grantId: string, by: By): Promise<Revocation> {
      const { grants } = await rowsOf(accountId);
      const grant = grants.find((g) => grantIdOf(g) === grantId);
      if (!grant) throw new NotFoundError(`user ${accountId} has no grant ${grantId}`);
      const revoked = await revoke([], [grantId]);
      const clientId = readGrant(grant.payload).clientId;
      await audit.record(by, {
        action: 'grant.revoked',
        target: `grant:${grantId}`,
        details: { grant_id: grantId, ...(clientId ? { client_id: clientId } : {}), sub: accountId, route: '/account', reason: 'revoked by the person' },
      });
      return revoked;
    },

    /** Ends every session and grant of a person (an admin's revocation, recorded). */
    async revokeAll(accountId: string, by: By = SYSTEM): Promise<Revocation> {
      const revoked = await endAll(accountId);
      await audit.record(by, { action: 'session.revoked', target: `user:${accountId}`, details: { scope: 'all', ...revoked } });
      return revoked;
    },

    /** Ends one session (named by its uid: its id is the cookie value, stored only as a digest) and its grants. */
    async revokeOne(accountId: string, sessionUid: string, by: By = SYSTEM): Promise<Revocation> {
      const { sessions } = await rowsOf(accountId);
      const session = sessions.find((s) => readSession(s.payload).uid === sessionUid);
      if (!session) throw new NotFoundError(`user ${accountId} has no session ${sessionUid}`);
      const revoked = await revoke([session], [...new Set(readSession(session.payload).grantIds)]);
      await audit.record(by, { action: 'session.revoked', target: `user:${accountId}`, details: { session_uid: sessionUid, ...revoked } });
      return revoked;
    },
  };
}

export type UserSessionService = ReturnType<typeof createUserSessionService>;
