// Console routes that mail links: invite a person (the users page), send a password reset link or
// an invitation again (a person's page). The same services as the CLI and the admin API; a mail
// that cannot go out is said in the flash message.
import type { Context } from 'koa';
import { InvitationNotSent } from '../../domain/accounts/invitations.js';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { MailUnavailable } from '../../mail/mailer.js';
import type { Services } from '../../services.js';
import { userPath } from '../../../views/console/user.js';
import { by, seeOther, type ConsoleRoutes } from './context.js';
import { bodyOf, checked, field } from './form.js';
import { setFlash } from './session.js';

type MailedLinkServices = Pick<Services, 'invitations' | 'passwordReset'>;

/** Errors an admin can act on become a flash message; anything else goes up. */
function refusal(error: unknown): string | undefined {
  if (error instanceof ValidationError || error instanceof ConflictError || error instanceof NotFoundError) return error.message;
  if (error instanceof MailUnavailable || error instanceof InvitationNotSent) return error.message;
  return undefined;
}

const until = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function mailedLinkRoutes({ router, post }: ConsoleRoutes, { invitations, passwordReset }: MailedLinkServices): void {
  const attempt = async (ctx: Context, back: string, work: () => Promise<string>) => {
    try {
      setFlash(ctx, await work());
    } catch (error) {
      const message = refusal(error);
      if (message === undefined) throw error;
      setFlash(ctx, message, 'error');
    }
    seeOther(ctx, back);
  };

  router.post('/admin/users/invite', ...post, async (ctx) => {
    const body = bodyOf(ctx);
    const name = field(body, 'name').trim();
    await attempt(ctx, '/admin/users', async () => {
      const { user, expiresAt } = await invitations.invite(
        { email: field(body, 'email'), isAdmin: checked(body, 'is_admin'), ...(name ? { name } : {}) },
        by(ctx),
      );
      return `Invited ${user.email}; the link works until ${until(expiresAt)}.`;
    });
  });

  router.post('/admin/users/:id/invitation', ...post, async (ctx) => {
    const id = String(ctx.params.id);
    await attempt(ctx, userPath(id), async () => {
      const { user, expiresAt } = await invitations.resend(id, by(ctx));
      return `Sent a new invitation to ${user.email}; the link works until ${until(expiresAt)}.`;
    });
  });

  router.post('/admin/users/:id/reset-link', ...post, async (ctx) => {
    const id = String(ctx.params.id);
    await attempt(ctx, userPath(id), async () => {
      const { user, expiresAt } = await passwordReset.sendTo(id, by(ctx));
      return `Sent a password reset link to ${user.email}; it works until ${until(expiresAt)}.`;
    });
  });
}
