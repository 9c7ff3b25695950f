// The page a mailed single-use link opens (a password reset, an invitation), shared by both.
//
// GET <path>?token=T checks the link and, when it is live, moves the token out of the address: it
// goes into a cookie for this path only (HttpOnly, SameSite=Lax, Secure on https) and the browser
// is sent on to <path> without it, so the token is in no history entry, no Referer (the pages
// send Referrer-Policy: no-referrer anyway) and no form. GET <path> shows the form for the token
// in the cookie; POST <path> sets the password. The form's CSRF token is bound to the link's.
import { createHash } from 'node:crypto';
import type { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { errorPage } from '../../../views/error.js';
import type { Messages } from '../../../views/i18n/catalogue.js';
import { choosePasswordPage, linkExpiredPage, passwordSetPage, type LinkKind } from '../../../views/self-service/choose-password.js';
import { returnPath } from '../../domain/accounts/link-mail.js';
import { MAX_PASSWORD_LENGTH } from '../../domain/accounts/password.js';
import { Busy } from '../../domain/accounts/work-limiter.js';
import { ValidationError } from '../../domain/errors.js';
import { csrfToken, verifyCsrf } from '../middleware/csrf.js';
import { setPageHeaders } from '../middleware/security-headers.js';
import { messagesOf } from '../page-language.js';
import { sendPage } from '../send-page.js';

export interface LinkPageDeps {
  kind: LinkKind;
  path: string;
  /** Whose live link this is, without using it. */
  peek(token: string): Promise<{ email: string } | undefined>;
  /** Sets the password; false when the link is no longer valid. Throws ValidationError for a refused password. */
  complete(token: string, password: string, from: { sourceAddress: string }): Promise<boolean>;
  parseBody: ReturnType<typeof bodyParser>;
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

function field(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

export function mountLinkPages(router: Router, deps: LinkPageDeps): void {
  const { kind, path } = deps;
  const cookie = kind === 'invitation' ? 'sesame.invitation' : 'sesame.reset';
  const tokenOf = (ctx: Context): string | undefined => {
    const value = ctx.cookies.get(cookie, { signed: true });
    return value && TOKEN.test(value) ? value : undefined;
  };
  const binding = (token: string) => `${kind}:${createHash('sha256').update(token).digest('base64url')}`;
  const forget = (ctx: Context) => ctx.cookies.set(cookie, null, { signed: true, httpOnly: true, sameSite: 'lax', path, overwrite: true });
  const expired = (ctx: Context, t: Messages) => {
    forget(ctx);
    sendPage(ctx, linkExpiredPage(t, { kind }), 410);
  };
  const form = (ctx: Context, t: Messages, token: string, email: string, returnTo: string | undefined, error?: string) =>
    choosePasswordPage(t, { kind, action: path, csrf: csrfToken(ctx, binding(token)), email, returnTo, error });

  router.get(path, async (ctx) => {
    setPageHeaders(ctx);
    const t = messagesOf(ctx);
    const returnTo = kind === 'password_reset' ? returnPath(ctx.query.return) : undefined;
    const given = ctx.query.token;
    if (given !== undefined) {
      const token = typeof given === 'string' ? given : '';
      const holder = await deps.peek(token);
      if (!holder) return expired(ctx, t);
      ctx.cookies.set(cookie, token, { signed: true, httpOnly: true, sameSite: 'lax', path, overwrite: true, maxAge: 60 * 60_000 });
      ctx.status = 303;
      ctx.redirect(returnTo ? `${path}?return=${encodeURIComponent(returnTo)}` : path);
      return;
    }
    const token = tokenOf(ctx);
    const holder = token && (await deps.peek(token));
    if (!token || !holder) return expired(ctx, t);
    sendPage(ctx, form(ctx, t, token, holder.email, returnTo));
  });

  router.post(
    path,
    deps.parseBody,
    verifyCsrf((ctx) => {
      const token = tokenOf(ctx);
      return token ? binding(token) : undefined;
    }),
    async (ctx) => {
      setPageHeaders(ctx);
      const t = messagesOf(ctx);
      const body: unknown = ctx.request.body;
      const returnTo = kind === 'password_reset' ? returnPath(field(body, 'return')) : undefined;
      const token = tokenOf(ctx);
      const holder = token && (await deps.peek(token));
      if (!token || !holder) return expired(ctx, t);
      const password = field(body, 'password') ?? '';
      const confirm = field(body, 'confirm') ?? '';
      if (password !== confirm) return sendPage(ctx, form(ctx, t, token, holder.email, returnTo, t.passwordReset.mismatch), 400);
      let done: boolean;
      try {
        done = await deps.complete(token, password.slice(0, MAX_PASSWORD_LENGTH + 1), { sourceAddress: ctx.ip });
      } catch (error) {
        if (error instanceof ValidationError) {
          return sendPage(ctx, form(ctx, t, token, holder.email, returnTo, t.passwordReset.refused(error.message)), 400);
        }
        if (error instanceof Busy) {
          ctx.set('Retry-After', '2');
          return sendPage(ctx, errorPage(t, { title: t.errors.busyTitle, message: t.errors.busy }), 503);
        }
        throw error;
      }
      if (!done) return expired(ctx, t);
      forget(ctx);
      sendPage(ctx, passwordSetPage(t, { kind, returnTo }));
    },
  );
}
