// /admin/groups: the list and the create form, one group (rename, describe, members, delete), and
// a person's groups on their user page (/admin/users/:id/groups). The group service's rules, as
// the admin API's and the CLI's; refusals are shown next to their field or as a flash.
import type { Context } from 'koa';
import type { Services } from '../../services.js';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { groupPage, groupPath, groupsPage, type GroupFormValues } from '../../../views/console/groups.js';
import { userPath } from '../../../views/console/user.js';
import { by, frame, seeOther, send, type ConsoleRoutes } from './context.js';
import { bodyOf, field, formErrors } from './form.js';
import { setFlash } from './session.js';

const EMPTY: GroupFormValues = { name: '', description: '' };

export function groupRoutes({ router, get, post }: ConsoleRoutes, { groups }: Pick<Services, 'groups'>): void {
  router.get('/admin/groups', ...get, async (ctx) => {
    send(ctx, groupsPage(frame(ctx), await groups.list(), EMPTY, {}));
  });

  router.post('/admin/groups', ...post, async (ctx) => {
    const body = bodyOf(ctx);
    const values = { name: field(body, 'name').trim(), description: field(body, 'description') };
    try {
      const group = await groups.create(values, by(ctx));
      setFlash(ctx, `Created group ${group.name}.`);
      seeOther(ctx, groupPath(group.name));
    } catch (error) {
      const errors = formErrors(error);
      if (!errors) throw error;
      send(ctx, groupsPage(frame(ctx), await groups.list(), values, errors), error instanceof ConflictError ? 409 : 422);
    }
  });

  /** The group the path names, or a flash and back to the list. */
  const render = async (
    ctx: Context,
    options: { values?: GroupFormValues; errors?: Record<string, string>; memberEmail?: string; memberErrors?: Record<string, string> } = {},
    status?: number,
  ) => {
    let group;
    try {
      group = await groups.get(String(ctx.params.name));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      setFlash(ctx, 'There is no such group (it may have been deleted or renamed).', 'error');
      seeOther(ctx, '/admin/groups');
      return;
    }
    send(
      ctx,
      groupPage(frame(ctx), {
        group,
        values: options.values ?? { name: group.name, description: group.description ?? '' },
        errors: options.errors ?? {},
        memberEmail: options.memberEmail ?? '',
        memberErrors: options.memberErrors ?? {},
      }),
      status,
    );
  };

  router.get('/admin/groups/:name', ...get, (ctx) => render(ctx));

  router.post('/admin/groups/:name', ...post, async (ctx) => {
    const body = bodyOf(ctx);
    const values = { name: field(body, 'name').trim(), description: field(body, 'description') };
    try {
      const group = await groups.update(String(ctx.params.name), values, by(ctx));
      setFlash(ctx, 'Saved.');
      seeOther(ctx, groupPath(group.name));
    } catch (error) {
      const errors = formErrors(error);
      if (!errors) throw error;
      await render(ctx, { values, errors }, error instanceof ConflictError ? 409 : 422);
    }
  });

  router.post('/admin/groups/:name/delete', ...post, async (ctx) => {
    const name = String(ctx.params.name);
    try {
      await groups.delete(name, by(ctx));
      setFlash(ctx, `Deleted group ${name}.`);
      seeOther(ctx, '/admin/groups');
    } catch (error) {
      if (!(error instanceof ConflictError || error instanceof NotFoundError)) throw error;
      setFlash(ctx, error.message, 'error');
      seeOther(ctx, error instanceof NotFoundError ? '/admin/groups' : groupPath(name));
    }
  });

  router.post('/admin/groups/:name/members', ...post, async (ctx) => {
    const name = String(ctx.params.name);
    const email = field(bodyOf(ctx), 'email').trim();
    try {
      const { added, member } = await groups.addMember(name, email, by(ctx));
      setFlash(ctx, added ? `Added ${member.email} to ${name}.` : `${member.email} is a member already.`);
      seeOther(ctx, groupPath(name));
    } catch (error) {
      if (!(error instanceof NotFoundError || error instanceof ValidationError)) throw error;
      await render(ctx, { memberEmail: email, memberErrors: { email: error.message } }, 422);
    }
  });

  router.post('/admin/groups/:name/members/:userId/remove', ...post, async (ctx) => {
    const name = String(ctx.params.name);
    try {
      const removed = await groups.removeMemberById(name, String(ctx.params.userId), by(ctx));
      setFlash(ctx, removed ? 'Removed from the group.' : 'They were not a member.');
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      setFlash(ctx, error.message, 'error');
    }
    seeOther(ctx, groupPath(name));
  });

  // The user page's Groups section.
  router.post('/admin/users/:id/groups', ...post, async (ctx) => {
    const userId = String(ctx.params.id);
    const name = field(bodyOf(ctx), 'group');
    try {
      await groups.addMemberById(name, userId, by(ctx));
      setFlash(ctx, `Added to ${name}.`);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      setFlash(ctx, error.message, 'error');
    }
    seeOther(ctx, `${userPath(userId)}#groups`);
  });

  router.post('/admin/users/:id/groups/:name/remove', ...post, async (ctx) => {
    const userId = String(ctx.params.id);
    const name = String(ctx.params.name);
    try {
      await groups.removeMemberById(name, userId, by(ctx));
      setFlash(ctx, `Removed from ${name}.`);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      setFlash(ctx, error.message, 'error');
    }
    seeOther(ctx, `${userPath(userId)}#groups`);
  });
}
