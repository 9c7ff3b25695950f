// /admin/users: the people, adding one, disabling (which ends their sessions), enabling and
// unlocking after too many wrong passwords. An admin cannot disable themselves. The buttons on a
// person's own page (user.ts) post here too, with back=user to return to that page.
import type { Context } from 'koa';
import type { Services } from '../../services.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import { EMPTY_USER_FORM, usersPage, type UserFormValues } from '../../../views/console/users.js';
import { userPath } from '../../../views/console/user.js';
import { admin, by, frame, seeOther, send, type ConsoleRoutes } from './context.js';
import { bodyOf, checked, field, formErrors } from './form.js';
import { setFlash } from './session.js';

export function userRoutes(
  { router, get, post }: ConsoleRoutes,
  { accounts, signInThrottle, invitations }: Pick<Services, 'accounts' | 'signInThrottle' | 'invitations'>,
): void {
  const renderUsers = async (ctx: Context, values: UserFormValues, errors: Record<string, string>, status?: number) => {
    const q = typeof ctx.query.q === 'string' ? ctx.query.q.trim() : '';
    const cursor = typeof ctx.query.cursor === 'string' && ctx.query.cursor ? ctx.query.cursor : undefined;
    const { users, next_cursor } = await accounts.page({ ...(q ? { search: q } : {}), ...(cursor ? { cursor } : {}), limit: 50 });
    const waits = await Promise.all(users.map((u) => signInThrottle.accountLockedFor(u.email)));
    const locked = new Set(users.filter((_, i) => waits[i]! > 0).map((u) => u.id));
    send(
      ctx,
      usersPage(frame(ctx), { users, locked, q, nextCursor: next_cursor, selfId: admin(ctx).id, values, errors, inviting: invitations.available }),
      status,
    );
  };

  router.get('/admin/users', ...get, (ctx) => renderUsers(ctx, EMPTY_USER_FORM, {}));

  router.post('/admin/users', ...post, async (ctx) => {
    const body = bodyOf(ctx);
    const values: UserFormValues = {
      email: field(body, 'email').trim(),
      name: field(body, 'name').trim(),
      is_admin: checked(body, 'is_admin'),
      email_verified: checked(body, 'email_verified'),
    };
    let user;
    try {
      user = await accounts.create(
        {
          email: values.email,
          password: field(body, 'password'),
          ...(values.name ? { name: values.name } : {}),
          emailVerified: values.email_verified,
          isAdmin: values.is_admin,
        },
        by(ctx),
      );
    } catch (error) {
      const errors = formErrors(error);
      if (!errors) throw error;
      if (error instanceof ConflictError) errors.email = error.message;
      await renderUsers(ctx, values, errors, 422);
      return;
    }
    setFlash(ctx, `Added ${user.email}.`);
    seeOther(ctx, '/admin/users');
  });

  /** Where a list or user-page button returns to after its change. */
  const back = (ctx: Context) => (field(bodyOf(ctx), 'back') === 'user' ? userPath(String(ctx.params.id)) : '/admin/users');

  for (const action of ['disable', 'enable'] as const) {
    router.post(`/admin/users/:id/${action}`, ...post, async (ctx) => {
      const id = String(ctx.params.id);
      if (action === 'disable' && id === admin(ctx).id) {
        setFlash(ctx, 'You cannot disable yourself; ask another administrator.', 'error');
        seeOther(ctx, back(ctx));
        return;
      }
      let user;
      try {
        ({ user } = await accounts.setDisabled(id, action === 'disable', by(ctx)));
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        setFlash(ctx, 'There is no such user (they may have been deleted).', 'error');
        seeOther(ctx, '/admin/users');
        return;
      }
      // Disabling ended their sessions and grants, so their tokens stop at once.
      setFlash(ctx, action === 'disable' ? `Disabled ${user.email}; their sessions have ended.` : `Enabled ${user.email}.`);
      seeOther(ctx, back(ctx));
    });
  }

  router.post('/admin/users/:id/unlock', ...post, async (ctx) => {
    let user;
    try {
      ({ user } = await accounts.unlock(String(ctx.params.id), by(ctx)));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      setFlash(ctx, 'There is no such user (they may have been deleted).', 'error');
      seeOther(ctx, '/admin/users');
      return;
    }
    setFlash(ctx, `Unlocked ${user.email}: they can sign in again.`);
    seeOther(ctx, back(ctx));
  });
}
