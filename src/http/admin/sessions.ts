// /users/{user_id}/sessions: a person's browser sessions and grants, and ending them (the rules
// are in domain/accounts/user-sessions.ts). Sessions are named by their `uid`, never by their id:
// a session's id is its cookie value.
import type { UserGrant, UserSession } from '../../domain/accounts/user-sessions.js';
import { route, type Route } from './route.js';
import { Revocation, SessionParams, UserParams, UserSessions } from './schemas.js';

const iso = (date: Date | null) => date?.toISOString() ?? null;

const sessionView = (session: UserSession) => ({
  uid: session.uid,
  login_at: iso(session.loginAt),
  created_at: session.createdAt.toISOString(),
  expires_at: iso(session.expiresAt),
  client_ids: session.clientIds,
});

const grantView = (grant: UserGrant) => ({
  grant_id: grant.grantId,
  client_id: grant.clientId,
  scope: grant.scope,
  resources: grant.resources,
  created_at: grant.createdAt.toISOString(),
  expires_at: iso(grant.expiresAt),
});

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
    async handle({ params, services }) {
      await services.accounts.get(params.user_id);
      const { sessions, grants } = await services.userSessions.list(params.user_id);
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
    async handle({ params, services, by }) {
      await services.accounts.get(params.user_id);
      return services.userSessions.revokeAll(params.user_id, by);
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
    async handle({ params, services, by }) {
      await services.accounts.get(params.user_id);
      return services.userSessions.revokeOne(params.user_id, params.session_uid, by);
    },
  }),
];
