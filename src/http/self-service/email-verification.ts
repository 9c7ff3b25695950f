// /verify-email: the page a mailed verification link opens, its button, and /verify-email/resend,
// where a person whose address waits for confirmation asks for a new link. Mounted whenever mail
// can be sent (sign-up, email changes and admin-created accounts all use the links).
//
// The link (GET) only shows a button; the POST verifies. Mail scanners and link previews fetch
// the links in a mail, so a GET that verified would confirm addresses nobody opened. See
// views/self-service/verify-email.ts.
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Messages } from '../../../views/i18n/catalogue.js';
import { selfServiceMails } from '../../../views/self-service/mails.js';
import { checkMailPage } from '../../../views/self-service/sign-up.js';
import { confirmEmailPage, emailTakenPage, invalidLinkPage, resendPage, verifiedPage } from '../../../views/self-service/verify-email.js';
import { isInteractionUid, type SelfService } from '../../domain/accounts/email-verification.js';
import type { By } from '../../domain/audit/actions.js';
import { OncePerWindow } from '../../domain/throttling/once-per-window.js';
import type { Services } from '../../services.js';
import { csrfToken, verifyCsrf } from '../middleware/csrf.js';
import { messagesOf } from '../page-language.js';
import { sendPage } from '../send-page.js';

/** Self-service forms are not bound to a session (there is none yet): their tokens share one binding. */
export const SELF_SERVICE_BINDING = 'self-service';
export const selfServiceCsrf = () => verifyCsrf(() => SELF_SERVICE_BINDING);
export const parseForm = () => bodyParser({ enableTypes: ['form'], formLimit: '16kb' });

export function formField(ctx: Context, name: string): string {
  const body: unknown = ctx.request.body;
  if (typeof body !== 'object' || body === null) return '';
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}

/** An interaction uid from the query or the form, when it looks like one. */
export function interactionParam(ctx: Context): string | undefined {
  const value = formField(ctx, 'interaction') || ctx.query.interaction;
  return isInteractionUid(value) ? value : undefined;
}

/**
 * The sign-in `uid` is part of, when it is still waiting for a login: the person can go back to it
 * (and on to the app) after signing up and verifying.
 */
export async function pendingSignIn(
  provider: Provider,
  uid: string | undefined,
  t: Messages,
): Promise<{ interaction: string; clientName: string } | undefined> {
  if (!uid) return undefined;
  try {
    const interaction = await provider.Interaction.find(uid);
    if (!interaction || interaction.result || interaction.prompt?.name !== 'login') return undefined;
    const clientId = typeof interaction.params.client_id === 'string' ? interaction.params.client_id : '';
    const client = clientId ? await provider.Client.find(clientId) : undefined;
    return { interaction: uid, clientName: client?.clientName || clientId || t.signIn.anApp };
  } catch {
    return undefined; // a convenience only
  }
}

/** Anyone on a self-service form: no account yet, or not one they proved. */
export const anonymous = (ctx: Context): By => ({ actor: 'anonymous', sourceAddress: ctx.ip });

export interface EmailVerificationRouterDeps {
  selfService: SelfService;
  provider(): Provider;
  audit: Services['audit'];
}

const MAX_EMAIL_LENGTH = 254;

export function createEmailVerificationRouter({ selfService, provider, audit }: EmailVerificationRouterDeps): Router {
  const { verification, throttle } = selfService;
  const router = new Router();
  const throttledReported = new OncePerWindow();

  router.get('/verify-email', async (ctx) => {
    const t = messagesOf(ctx);
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    const interaction = interactionParam(ctx);
    const link = await verification.peek(token);
    if (!link) {
      sendPage(ctx, invalidLinkPage(t, { interaction }), 400);
      return;
    }
    sendPage(ctx, confirmEmailPage(t, { csrf: csrfToken(ctx, SELF_SERVICE_BINDING), token, email: link.email, interaction }));
  });

  router.post('/verify-email', parseForm(), selfServiceCsrf(), async (ctx) => {
    const t = messagesOf(ctx);
    const interaction = interactionParam(ctx);
    // Whoever holds the mailbox acted for the account the link was sent for.
    const result = await verification.confirm(formField(ctx, 'token'), (userId) => ({ actor: `user:${userId}`, sourceAddress: ctx.ip }));
    switch (result.outcome) {
      case 'invalid':
        sendPage(ctx, invalidLinkPage(t, { interaction }), 400);
        return;
      case 'taken':
        sendPage(ctx, emailTakenPage(t), 409);
        return;
      case 'verified':
        sendPage(
          ctx,
          verifiedPage(t, {
            email: result.user.email,
            changed: result.changedFrom !== undefined,
            continueTo: await pendingSignIn(provider(), interaction, t),
          }),
        );
    }
  });

  router.get('/verify-email/resend', (ctx) => {
    const t = messagesOf(ctx);
    sendPage(ctx, resendPage(t, { csrf: csrfToken(ctx, SELF_SERVICE_BINDING), interaction: interactionParam(ctx) }));
  });

  router.post('/verify-email/resend', parseForm(), selfServiceCsrf(), async (ctx) => {
    const t = messagesOf(ctx);
    const email = formField(ctx, 'email').trim().slice(0, MAX_EMAIL_LENGTH);
    const interaction = interactionParam(ctx);
    const wait = await throttle.use('verify-resend', ctx.ip);
    if (wait > 0) {
      if (throttledReported.first(`resend\n${ctx.ip}`, wait)) {
        await audit.record(anonymous(ctx), { action: 'signup.throttled', details: { retry_after: Math.ceil(wait / 1000) } });
      }
      ctx.set('Retry-After', String(Math.ceil(wait / 1000)));
      sendPage(ctx, resendPage(t, { csrf: csrfToken(ctx, SELF_SERVICE_BINDING), email, interaction, throttledFor: wait }), 429);
      return;
    }
    // In the background, and the same answer whatever the address.
    verification.resend(email, selfServiceMails(t), anonymous(ctx), interaction);
    sendPage(ctx, checkMailPage(t, { email, interaction, resent: true }));
  });

  return router;
}
