// /users: create, find, change, disable, enable and delete people, and set their passwords. The
// rules are the account service's; passwords go in and never come out (nor into the audit log).
// Disabling or deleting a user also ends their sessions and grants, so their tokens stop at once.
import type { User as DomainUser } from '../../domain/accounts/account-service.js';
import { ConflictError } from '../../domain/errors.js';
import type { Actor } from './auth.js';
import { route, type Route } from './route.js';
import { PasswordInput, User, UserInput, UserListQuery, UserPage, UserParams, UserPatch } from './schemas.js';

function userView(user: DomainUser) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    email_verified: user.emailVerified,
    disabled: user.disabled,
    is_admin: user.isAdmin,
    created_at: user.createdAt.toISOString(),
  };
}

/** An admin in the console cannot lock themselves out; another admin (or a machine) can. */
function notSelf(actor: Actor, userId: string, what: string): void {
  if (actor.accountId === userId) throw new ConflictError(`you cannot ${what} yourself; ask another administrator`);
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
    summary: "Change a user's email, name, email_verified or is_admin",
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
