// /users/{user_id}/sessions: a person's browser sessions and grants, and ending them. Ending a
// grant removes everything issued under it (access and refresh tokens, codes), so the person's
// apps lose their tokens at once; ending a session signs the browser out of Sesame.
// Sessions are named by their `uid`, never by their id: a session's id is its cookie value.
import type { Container } from '../../container.js';
import type { AccountPayload } from '../../db/oidc-payload-repository.js';
import { NotFoundError } from '../../domain/errors.js';
import { route, type Route } from './route.js';
import { Revocation, SessionParams, UserParams, UserSessions } from './schemas.js';

interface SessionPayload {
  uid?: string;
  loginTs?: number;
  authorizations?: Record<string, { grantId?: string }>;
}

interface GrantPayload {
  clientId?: string;
  openid?: { scope?: string };
  resources?: Record<string, string>;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

function sessionView(row: AccountPayload) {
  const payload = row.payload as SessionPayload;
  return {
    uid: payload.uid ?? '',
    login_at: typeof payload.loginTs === 'number' ? new Date(payload.loginTs * 1000).toISOString() : null,
    created_at: row.createdAt.toISOString(),
    expires_at: iso(row.expiresAt),
    client_ids: Object.keys(payload.authorizations ?? {}),
  };
}

function grantView(row: AccountPayload) {
  const payload = row.payload as GrantPayload;
  return {
    grant_id: row.id,
    client_id: payload.clientId ?? null,
    scope: payload.openid?.scope ?? null,
    resources: payload.resources ?? {},
    created_at: row.createdAt.toISOString(),
    expires_at: iso(row.expiresAt),
  };
}

async function ownRows(container: Container, accountId: string) {
  const rows = await container.payloads.findByAccountId(['Session', 'Grant'], accountId);
  return { sessions: rows.filter((r) => r.model === 'Session'), grants: rows.filter((r) => r.model === 'Grant') };
}

/** Ends grants (with every token issued under them) and then sessions. */
async function revoke(container: Container, sessions: AccountPayload[], grantIds: string[]) {
  for (const grantId of grantIds) await container.payloads.revokeByGrantId(grantId);
  const revokedGrants = await container.payloads.destroyMany('Grant', grantIds);
  const revokedSessions = await container.payloads.destroyMany(
    'Session',
    sessions.map((s) => s.id),
  );
  return { revoked_sessions: revokedSessions, revoked_grants: revokedGrants };
}

/** Ends every session and grant of a person (disabling and deleting a user do this too). */
export async function revokeUserSessions(container: Container, accountId: string) {
  const { sessions, grants } = await ownRows(container, accountId);
  // Grants named by a session but already gone from the table still have their tokens removed.
  const named = sessions.flatMap((s) => Object.values((s.payload as SessionPayload).authorizations ?? {}).map((a) => a.grantId));
  const grantIds = [...new Set([...grants.map((g) => g.id), ...named.filter((id): id is string => typeof id === 'string')])];
  return revoke(container, sessions, grantIds);
}

export const sessionRoutes: Route[] = [
  route({
    method: 'get',
    path: '/users/{user_id}/sessions',
    operationId: 'listUserSessions',
    summary: "List a user's sessions and grants",
    tag: 'sessions',
    params: UserParams,
    success: { status: 200, description: 'Live sessions and grants, oldest first.', schema: UserSessions },
    problems: [404],
    async handle({ params, container }) {
      await container.accounts.get(params.user_id);
      const { sessions, grants } = await ownRows(container, params.user_id);
      return { sessions: sessions.map(sessionView), grants: grants.map(grantView) };
    },
  }),

  route({
    method: 'delete',
    path: '/users/{user_id}/sessions',
    operationId: 'revokeUserSessions',
    summary: "End all of a user's sessions and grants",
    description: 'The person is signed out everywhere and every token their apps hold stops working.',
    tag: 'sessions',
    params: UserParams,
    success: { status: 200, description: 'What was ended.', schema: Revocation },
    problems: [404],
    async handle({ params, container, audit }) {
      await container.accounts.get(params.user_id);
      const result = await revokeUserSessions(container, params.user_id);
      await audit('session.revoked', `user:${params.user_id}`, { scope: 'all', ...result });
      return result;
    },
  }),

  route({
    method: 'delete',
    path: '/users/{user_id}/sessions/{session_uid}',
    operationId: 'revokeUserSession',
    summary: 'End one session of a user, with the grants made in it',
    tag: 'sessions',
    params: SessionParams,
    success: { status: 200, description: 'What was ended.', schema: Revocation },
    problems: [404],
    async handle({ params, container, audit }) {
      await container.accounts.get(params.user_id);
      const { sessions } = await ownRows(container, params.user_id);
      const session = sessions.find((s) => (s.payload as SessionPayload).uid === params.session_uid);
      if (!session) throw new NotFoundError(`user ${params.user_id} has no session ${params.session_uid}`);
      const grantIds = Object.values((session.payload as SessionPayload).authorizations ?? {})
        .map((a) => a.grantId)
        .filter((id): id is string => typeof id === 'string');
      const result = await revoke(container, [session], [...new Set(grantIds)]);
      await audit('session.revoked', `user:${params.user_id}`, { session_uid: params.session_uid, ...result });
      return result;
    },
  }),
];
