// /users: create, find, change, disable, enable and delete people, and set their passwords. The
// rules are the account service's; passwords go in and never come out (nor into the audit log).
// Disabling or deleting a user also ends their sessions and grants, so their tokens stop at once.
import type { User as DomainUser } from '../../domain/accounts/account-service.js';
import type { FactorOverview } from '../../domain/accounts/second-factors.js';
import { InvitationNotSent, type SentInvitation } from '../../domain/accounts/invitations.js';
import { ConflictError } from '../../domain/errors.js';
import { MailUnavailable } from '../../mail/mailer.js';
import type { Actor } from './auth.js';
import { route, type Route } from './route.js';
import { Problem } from './problem.js';
import {
  FactorReset,
  Invitation,
  InvitationInput,
  PasswordInput,
  ResendInvitationInput,
  User,
  UserInput,
  UserListQuery,
  UserFactors,
  UserPage,
  UserParams,
  UserPatch,
} from './schemas.js';

function userView(user: DomainUser) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    email_verified: user.emailVerified,
    disabled: user.disabled,
    is_admin: user.isAdmin,
    attributes: user.attributes,
    created_at: user.createdAt.toISOString(),
  };
}

function factorsView(factors: FactorOverview) {
  return {
    totp: factors.totp ? { confirmed_at: factors.totp.confirmedAt.toISOString() } : null,
    totp_enrolling: factors.enrolling,
    recovery_codes_left: factors.recoveryCodesLeft,
    passkeys: factors.passkeys.map((p) => ({
      id: p.id,
      name: p.name,
      synced: p.deviceType === 'multiDevice',
      created_at: p.createdAt.toISOString(),
      last_used_at: p.lastUsedAt?.toISOString() ?? null,
    })),
  };
}

/** An admin in the console cannot lock themselves out; another admin (or a machine) can. */
function notSelf(actor: Actor, userId: string, what: string): void {
  if (actor.accountId === userId) throw new ConflictError(`you cannot ${what} yourself; ask another administrator`);
}

/** Mail off, or the mail not sent: 503, saying which. */
async function mailing(send: () => Promise<SentInvitation>) {
  try {
    const { user, expiresAt } = await send();
    return { user: userView(user), expires_at: expiresAt.toISOString() };
  } catch (error) {
    if (error instanceof MailUnavailable || error instanceof InvitationNotSent) throw new Problem(503, error.message);
    throw error;
  }
}

export const userRoutes: Route[] = [
  route({
    method: 'post',
    path: '/users',
    operationId: 'createUser',
    summary: 'Create a user',
    tag: 'users',
    body: UserInput,
    success: { status: 201, description: 'Created; Location names the new user.', schema: User },
    problems: [409, 422],
    async handle({ body, services, ctx, by }) {
      const user = await services.accounts.create(
        {
          email: body.email,
          password: body.password,
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.email_verified !== undefined ? { emailVerified: body.email_verified } : {}),
          ...(body.is_admin !== undefined ? { isAdmin: body.is_admin } : {}),
        },
        by,
      );
      ctx.set('Location', `${ctx.path.replace(/\/$/, '')}/${encodeURIComponent(user.id)}`);
      return userView(user);
    },
  }),

  route({
    method: 'post',
    path: '/users/invitations',
    operationId: 'inviteUser',
    summary: 'Invite a person: create them without a password and mail them a link (7 days) to choose one',
    description: 'They cannot sign in until they accept; accepting marks their email verified. Needs mail (SMTP_URL).',
    tag: 'users',
    body: InvitationInput,
    success: { status: 201, description: 'Invited; Location names the new user.', schema: Invitation },
    problems: [409, 422, 503],
    async handle({ body, services, ctx, by }) {
      const sent = await mailing(() =>
        services.invitations.invite(
          {
            email: body.email,
            ...(body.name !== undefined ? { name: body.name } : {}),
            ...(body.is_admin !== undefined ? { isAdmin: body.is_admin } : {}),
            ...(body.locale !== undefined ? { locale: body.locale } : {}),
          },
          by,
        ),
      );
      ctx.set('Location', `${ctx.path.replace(/\/invitations\/?$/, '')}/${encodeURIComponent(sent.user.id)}`);
      return sent;
    },
  }),

  route({
    method: 'post',
    path: '/users/{user_id}/invitation',
    operationId: 'resendInvitation',
    summary: 'Send an invitation again to a person who has not chosen a password yet (the older link stops working)',
    tag: 'users',
    params: UserParams,
    body: ResendInvitationInput,
    success: { status: 200, description: 'Sent.', schema: Invitation },
    problems: [404, 409, 422, 503],
    handle: async ({ params, body, services, by }) => mailing(() => services.invitations.resend(params.user_id, by, body.locale)),
  }),

  route({
    method: 'get',
    path: '/users',
    operationId: 'listUsers',
    summary: 'List or search users, a page at a time (oldest first)',
    tag: 'users',
    query: UserListQuery,
    success: { status: 200, description: 'A page of users.', schema: UserPage },
    problems: [422],
    async handle({ query, services }) {
      const { users, next_cursor } = await services.accounts.page({
        ...(query.search !== undefined ? { search: query.search } : {}),
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
      });
      return { items: users.map(userView), next_cursor };
    },
  }),

  route({
    method: 'get',
    path: '/users/{user_id}',
    operationId: 'getUser',
    summary: 'Show a user',
    tag: 'users',
    params: UserParams,
    success: { status: 200, description: 'The user.', schema: User },
    problems: [404],
    handle: async ({ params, services }) => userView(await services.accounts.get(params.user_id)),
  }),

  route({
    method: 'patch',
    path: '/users/{user_id}',
    operationId: 'updateUser',
    summary: "Change a user's email, name, email_verified, is_admin or attributes",
    tag: 'users',
    params: UserParams,
    body: UserPatch,
    success: { status: 200, description: 'The changed user.', schema: User },
    problems: [404, 409, 422],
    async handle({ params, body, services, by, actor }) {
      if (body.is_admin === false) notSelf(actor, params.user_id, 'remove the admin role from');
      const user = await services.accounts.update(
        params.user_id,
        {
          ...(body.email !== undefined ? { email: body.email } : {}),
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.email_verified !== undefined ? { emailVerified: body.email_verified } : {}),
          ...(body.is_admin !== undefined ? { isAdmin: body.is_admin } : {}),
          ...(body.attributes !== undefined ? { attributes: body.attributes } : {}),
        },
        by,
      );
      return userView(user);
    },
  }),

  route({
    method: 'post',
    path: '/users/{user_id}/disable',
    operationId: 'disableUser',
    summary: 'Disable a user: no sign-in, and every session and grant ends',
    tag: 'users',
    params: UserParams,
    success: { status: 200, description: 'The disabled user.', schema: User },
    problems: [404, 409],
    async handle({ params, services, by, actor }) {
      notSelf(actor, params.user_id, 'disable');
      const { user } = await services.accounts.setDisabled(params.user_id, true, by);
      return userView(user);
    },
  }),

  route({
    method: 'post',
    path: '/users/{user_id}/enable',
    operationId: 'enableUser',
    summary: 'Enable a disabled user again',
    tag: 'users',
    params: UserParams,
    success: { status: 200, description: 'The enabled user.', schema: User },
    problems: [404],
    async handle({ params, services, by }) {
      const { user } = await services.accounts.setDisabled(params.user_id, false, by);
      return userView(user);
    },
  }),

  route({
    method: 'post',
    path: '/users/{user_id}/unlock',
    operationId: 'unlockUser',
    summary: 'Lift a sign-in lockout (too many wrong passwords) and forget the failed attempts',
    tag: 'users',
    params: UserParams,
    success: { status: 200, description: 'The user, unlocked.', schema: User },
    problems: [404],
    async handle({ params, services, by }) {
      const { user } = await services.accounts.unlock(params.user_id, by);
      return userView(user);
    },
  }),

  route({
    method: 'put',
    path: '/users/{user_id}/password',
    operationId: 'setUserPassword',
    summary: "Set a user's password",
    description: 'Existing sessions stay; end them with DELETE /users/{user_id}/sessions if the old password leaked.',
    tag: 'users',
    params: UserParams,
    body: PasswordInput,
    success: { status: 204, description: 'Set.', schema: undefined },
    problems: [404, 422],
    async handle({ params, body, services, by }) {
      await services.accounts.setPassword(params.user_id, body.password, by);
    },
  }),

  route({
    method: 'get',
    path: '/users/{user_id}/factors',
    operationId: 'getUserFactors',
    summary: "A user's second factors: authenticator app, recovery codes left, passkeys",
    tag: 'users',
    params: UserParams,
    success: { status: 200, description: 'Their second factors.', schema: UserFactors },
    problems: [404],
    handle: async ({ params, services }) => factorsView(await services.secondFactors.overview(params.user_id)),
  }),

  route({
    method: 'delete',
    path: '/users/{user_id}/factors',
    operationId: 'resetUserFactors',
    summary: "Reset a user's second factors: remove the authenticator app, the recovery codes and the passkeys",
    description: 'They then sign in with the password alone. Audited as user.second_factors_reset with what was removed.',
    tag: 'users',
    params: UserParams,
    success: { status: 200, description: 'What was removed.', schema: FactorReset },
    problems: [404],
    async handle({ params, services, by }) {
      const removed = await services.secondFactors.reset(params.user_id, by);
      return { totp: removed.totp, recovery_codes: removed.recoveryCodes, passkeys: removed.passkeys };
    },
  }),

  route({
    method: 'delete',
    path: '/users/{user_id}',
    operationId: 'deleteUser',
    summary: 'Delete a user, ending their sessions and grants',
    tag: 'users',
    params: UserParams,
    success: { status: 204, description: 'Deleted.', schema: undefined },
    problems: [404, 409],
    async handle({ params, services, by, actor }) {
      notSelf(actor, params.user_id, 'delete');
      await services.accounts.deleteById(params.user_id, by);
    },
  }),
];
