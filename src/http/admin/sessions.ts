// /users/{user_id}/sessions: a person's browser sessions and grants, and ending them (the rules
// are in domain/accounts/user-sessions.ts). Sessions are named by their `uid`, never by their id:
// a session's id is its cookie value.
import type { AccountPayload } from '../../db/oidc-payload-repository.js';
import { grantIdOf, type SessionPayload } from '../../domain/accounts/user-sessions.js';
import { route, type Route } from './route.js';
import { Revocation, SessionParams, UserParams, UserSessions } from './schemas.js';

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
    grant_id: grantIdOf(row),
    client_id: payload.clientId ?? null,
    scope: payload.openid?.scope ?? null,
    resources: payload.resources ?? {},
    created_at: row.createdAt.toISOString(),
    expires_at: iso(row.expiresAt),
  };
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
      const { sessions, grants } = await container.userSessions.list(params.user_id);
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
      const result = await container.userSessions.revokeAll(params.user_id);
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
      const result = await container.userSessions.revokeOne(params.user_id, params.session_uid);
      await audit('session.revoked', `user:${params.user_id}`, { session_uid: params.session_uid, ...result });
      return result;
    },
  }),
];
