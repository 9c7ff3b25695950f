// Forgot password: GET/POST /forgot-password (ask for a link by email) and /reset-password (the
// page the link opens: link-pages.ts). Every answer to a request is the same page whatever the
// email; only a source address over its limit gets a 429 page, which says nothing about emails.
// With mail off the pages say that password reset is not available.
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context } from 'koa';
import {
  FORGOT_PASSWORD_PATH,
  forgotPasswordPage,
  resetRequestedPage,
  resetThrottledPage,
  resetUnavailablePage,
} from '../../../views/self-service/forgot-password.js';
import { LINK_PATHS, returnPath } from '../../domain/accounts/link-mail.js';
import type { PasswordResetService } from '../../domain/accounts/password-reset.js';
import { csrfToken, verifyCsrf } from '../middleware/csrf.js';
import { setPageHeaders } from '../middleware/security-headers.js';
import { messagesOf } from '../page-language.js';
import { sendPage } from '../send-page.js';
import { mountLinkPages } from './link-pages.js';

/** The request form has no session to bind its token to: anyone may ask for a link. */
const FORM_BINDING = 'forgot-password';
/** Longest email (RFC 5321 path) looked at. */
const MAX_EMAIL_LENGTH = 320;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

function field(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

export function createPasswordResetRouter({ passwordReset }: { passwordReset: PasswordResetService }): Router {
  const router = new Router();
  const parseBody = bodyParser({ enableTypes: ['form'], formLimit: '16kb' });
  const form = (ctx: Context, returnTo: string | undefined, email?: string) =>
    forgotPasswordPage(messagesOf(ctx), { csrf: csrfToken(ctx, FORM_BINDING), returnTo, email, invalid: email !== undefined });

  router.get(FORGOT_PASSWORD_PATH, (ctx) => {
    const returnTo = returnPath(ctx.query.return);
    if (!passwordReset.available) return sendPage(ctx, resetUnavailablePage(messagesOf(ctx), { returnTo }));
    sendPage(ctx, form(ctx, returnTo));
  });

  router.post(
    FORGOT_PASSWORD_PATH,
    parseBody,
    verifyCsrf(() => FORM_BINDING),
    async (ctx) => {
      setPageHeaders(ctx);
      const t = messagesOf(ctx);
      const body: unknown = ctx.request.body;
      const returnTo = returnPath(field(body, 'return'));
      if (!passwordReset.available) return sendPage(ctx, resetUnavailablePage(t, { returnTo }), 503);
      const email = (field(body, 'email') ?? '').trim();
      if (email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email)) return sendPage(ctx, form(ctx, returnTo, email.slice(0, MAX_EMAIL_LENGTH)), 400);
      const outcome = await passwordReset.request(email, { sourceAddress: ctx.ip, locale: t.locale, ...(returnTo ? { returnTo } : {}) });
      if (outcome === 'throttled') {
        ctx.set('Retry-After', '3600');
        return sendPage(ctx, resetThrottledPage(t, { returnTo }), 429);
      }
      sendPage(ctx, resetRequestedPage(t, { returnTo }));
    },
  );

  mountLinkPages(router, {
    kind: 'password_reset',
    path: LINK_PATHS.password_reset,
    parseBody,
    peek: (token) => passwordReset.peek(token),
    complete: async (token, password, from) => (await passwordReset.complete(token, password, from)) !== undefined,
  });
  return router;
}
