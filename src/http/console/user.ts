// /admin/users/:id: one person. Editing (email, name, verified, admin, attributes), setting a password,
// their sessions and connected apps with revoking, and deleting after a confirmation page. The
// list's disable/enable/unlock routes (users.ts) serve this page's buttons too. Every change goes
// through the account and user-sessions services, as the admin API's and the CLI's do, and the
// same self-protection applies: an admin cannot demote or delete themselves (nor disable: users.ts).
// Second factors: listed on the page; "Reset second factors" after a confirmation page removes the
// app, the recovery codes and the passkeys (secondFactors.reset, as the admin API and the CLI do).
import type { Context } from 'koa';
import type { Services } from '../../services.js';
import type { User } from '../../domain/accounts/account-service.js';
import { attributeChangesFromLines } from '../../domain/claims/attributes.js';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { deleteUserPage, editValuesOf, resetFactorsPage, userPage, userPath, type UserEditValues } from '../../../views/console/user.js';
import { groupsSection } from '../../../views/console/groups.js';
import { explainPanel } from '../../../views/console/explain.js';
import type { AccessExplanation } from '../../domain/access/explain.js';

const DEFAULT_EXPLAIN_SCOPE = 'openid profile email';
import { admin, by, frame, seeOther, send, type ConsoleRoutes } from './context.js';
import { bodyOf, checked, field, formErrors } from './form.js';
import { setFlash } from './session.js';

type UserServices = Pick<Services, 'accounts' | 'userSessions' | 'clients' | 'signInThrottle' | 'invitations' | 'secondFactors' | 'groups' | 'explain'>;

/** The user the path names, or a flash and back to the list (they may have been deleted meanwhile). */
async function userOrBack(ctx: Context, accounts: UserServices['accounts']): Promise<User | undefined> {
  const user = await accounts.findById(String(ctx.params.id));
  if (!user) {
    setFlash(ctx, 'There is no such user (they may have been deleted).', 'error');
    seeOther(ctx, '/admin/users');
  }
  return user;
}

export function userPageRoutes(
  { router, get, post }: ConsoleRoutes,
  { accounts, userSessions, clients, signInThrottle, invitations, secondFactors, groups, explain }: UserServices,
): void {
  const render = async (
    ctx: Context,
    user: User,
    forms: { values?: UserEditValues; errors?: Record<string, string>; passwordErrors?: Record<string, string> } = {},
    status?: number,
    asked: { clientId: string; scope: string } = { clientId: '', scope: DEFAULT_EXPLAIN_SCOPE },
  ) => {
    const [{ sessions, grants }, lockedFor, allClients, hasPassword, factors, ownGroups, allGroups] = await Promise.all([
      userSessions.list(user.id),
      signInThrottle.accountLockedFor(user.email),
      clients.list(),
      accounts.hasPassword(user.id),
      secondFactors.overview(user.id),
      groups.groupsOf(user.id),
      groups.list(),
    ]);
    const pageFrame = frame(ctx);
    const explained = asked.clientId ? await explainFor(user.email, asked.clientId, asked.scope) : {};
    send(
      ctx,
      userPage(pageFrame, {
        user,
        locked: lockedFor > 0,
        self: user.id === admin(ctx).id,
        sessions,
        grants,
        clientNames: new Map(allClients.map((c) => [c.client_id, c.client_name])),
        values: forms.values ?? editValuesOf(user),
        errors: forms.errors ?? {},
        passwordErrors: forms.passwordErrors ?? {},
        mailedLinks: { available: invitations.available, pending: hasPassword === false },
        factors,
        groups: groupsSection(pageFrame, user.id, ownGroups, allGroups),
        explain: explainPanel({ userId: user.id, clients: allClients, ...asked, ...explained }),
      }),
      status,
    );
  };

  /** The explanation, or what was wrong with the question (an unknown client, a scope without openid). */
  const explainFor = async (email: string, clientId: string, scope: string): Promise<{ explanation?: AccessExplanation; error?: string }> => {
    try {
      return { explanation: await explain.explain(email, clientId, scope) };
    } catch (error) {
      if (error instanceof ValidationError || error instanceof NotFoundError) return { error: error.message };
      throw error;
    }
  };

  router.get('/admin/users/:id', ...get, async (ctx) => {
    const user = await userOrBack(ctx, accounts);
    const clientId = typeof ctx.query.explain_client === 'string' ? ctx.query.explain_client : '';
    const scope = typeof ctx.query.explain_scope === 'string' && ctx.query.explain_scope.trim() ? ctx.query.explain_scope.trim() : DEFAULT_EXPLAIN_SCOPE;
    if (user) await render(ctx, user, {}, undefined, { clientId, scope });
  });

  router.post('/admin/users/:id', ...post, async (ctx) => {
    const user = await userOrBack(ctx, accounts);
    if (!user) return;
    const body = bodyOf(ctx);
    const values: UserEditValues = {
      email: field(body, 'email').trim(),
      name: field(body, 'name').trim(),
      email_verified: checked(body, 'email_verified'),
      is_admin: checked(body, 'is_admin'),
      attributes: field(body, 'attributes'),
    };
    if (user.id === admin(ctx).id && !values.is_admin) {
      // The admin API refuses the same (409): the console must always keep an administrator.
      const errors = { form: 'You cannot remove the admin role from yourself; ask another administrator.' };
      await render(ctx, user, { values, errors }, 409);
      return;
    }
    try {
      // A form without the field (posted from a page before attributes existed) leaves them as they are.
      const attributes = body['attributes'] === undefined ? undefined : attributeChangesFromLines(values.attributes, user.attributes);
      await accounts.update(
        user.id,
        {
          email: values.email,
          name: values.name || null,
          emailVerified: values.email_verified,
          isAdmin: values.is_admin,
          ...(attributes !== undefined ? { attributes } : {}),
        },
        by(ctx),
      );
    } catch (error) {
      const errors = formErrors(error);
      if (!errors) throw error;
      // The one conflict an edit can meet is a taken email: shown next to that field.
      if (error instanceof ConflictError) errors.email = error.message;
      await render(ctx, user, { values, errors }, error instanceof ConflictError ? 409 : 422);
      return;
    }
    setFlash(ctx, 'Saved.');
    seeOther(ctx, userPath(user.id));
  });

  router.post('/admin/users/:id/password', ...post, async (ctx) => {
    const user = await userOrBack(ctx, accounts);
    if (!user) return;
    const body = bodyOf(ctx);
    const password = field(body, 'new_password');
    try {
      if (password !== field(body, 'confirm_password')) throw new ValidationError('the two passwords differ', 'confirm_password');
      await accounts.setPassword(user.id, password, by(ctx));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const field = error.field === 'confirm_password' ? 'confirm_password' : 'new_password';
      await render(ctx, user, { passwordErrors: { [field]: error.message } }, 422);
      return;
    }
    setFlash(ctx, `Set a new password for ${user.email}.`);
    seeOther(ctx, userPath(user.id));
  });

  router.post('/admin/users/:id/sessions/revoke-all', ...post, async (ctx) => {
    const user = await userOrBack(ctx, accounts);
    if (!user) return;
    const revoked = await userSessions.revokeAll(user.id, by(ctx));
    setFlash(ctx, `Ended ${revoked.revoked_sessions} sessions and ${revoked.revoked_grants} app grants of ${user.email}.`);
    seeOther(ctx, userPath(user.id));
  });

  router.post('/admin/users/:id/sessions/:uid/revoke', ...post, async (ctx) => {
    const user = await userOrBack(ctx, accounts);
    if (!user) return;
    try {
      await userSessions.revokeOne(user.id, String(ctx.params.uid), by(ctx));
      setFlash(ctx, 'Ended the session and the app access granted in it.');
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      setFlash(ctx, 'That session has already ended.', 'error');
    }
    seeOther(ctx, userPath(user.id));
  });

  router.get('/admin/users/:id/factors/reset', ...get, async (ctx) => {
    const user = await userOrBack(ctx, accounts);
    if (user) send(ctx, resetFactorsPage(frame(ctx), user, await secondFactors.overview(user.id)));
  });

  router.post('/admin/users/:id/factors/reset', ...post, async (ctx) => {
    const user = await userOrBack(ctx, accounts);
    if (!user) return;
    const removed = await secondFactors.reset(user.id, by(ctx));
    const what = [
      removed.totp ? 'the authenticator app' : '',
      removed.recoveryCodes > 0 ? `${removed.recoveryCodes} recovery codes` : '',
      removed.passkeys.length > 0 ? `${removed.passkeys.length} passkey${removed.passkeys.length === 1 ? '' : 's'}` : '',
    ].filter(Boolean);
    setFlash(
      ctx,
      what.length > 0 ? `Removed ${what.join(', ')} of ${user.email}: they sign in with their password alone.` : `${user.email} had no second factors.`,
    );
    seeOther(ctx, userPath(user.id));
  });

  router.get('/admin/users/:id/delete', ...get, async (ctx) => {
    const user = await userOrBack(ctx, accounts);
    if (!user) return;
    if (user.id === admin(ctx).id) {
      setFlash(ctx, 'You cannot delete yourself; ask another administrator.', 'error');
      seeOther(ctx, userPath(user.id));
      return;
    }
    send(ctx, deleteUserPage(frame(ctx), user));
  });

  router.post('/admin/users/:id/delete', ...post, async (ctx) => {
    const user = await userOrBack(ctx, accounts);
    if (!user) return;
    if (user.id === admin(ctx).id) {
      setFlash(ctx, 'You cannot delete yourself; ask another administrator.', 'error');
      seeOther(ctx, userPath(user.id));
      return;
    }
    try {
      await accounts.deleteById(user.id, by(ctx));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    setFlash(ctx, `Deleted ${user.email}.`);
    seeOther(ctx, '/admin/users');
  });
}
