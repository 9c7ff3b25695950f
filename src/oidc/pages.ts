// oidc-provider's page hooks (logout confirmation, post-logout success, error page), rendered
// from views/ with the same escaping and security headers as our interaction pages.
import { errors, type ErrorOut, type KoaContextWithOIDC } from 'oidc-provider';
import { errorPage, type ErrorView } from '../../views/error.js';
import { loggedOutPage } from '../../views/logged-out.js';
import { logoutPage } from '../../views/logout.js';
import { raw } from '../../views/html.js';
import { messagesOf } from '../http/page-language.js';
import { sendPage } from '../http/send-page.js';
import type { Messages } from '../../views/i18n/catalogue.js';

/** features.rpInitiatedLogout.logoutSource: "Sign out of <app>?" */
export function logoutSource(ctx: KoaContextWithOIDC, form: string): void {
  // `form` is oidc-provider's own markup: a <form id="op.logoutForm"> built from its end-session
  // URL and a random xsrf secret, with no request data in it. It is trusted as-is.
  sendPage(ctx, logoutPage(messagesOf(ctx, ctx.oidc?.params?.ui_locales), { clientName: ctx.oidc?.client?.clientName, form: raw(form) }));
}

/** features.rpInitiatedLogout.postLogoutSuccessSource: shown when the app gave no redirect. */
export function postLogoutSuccessSource(ctx: KoaContextWithOIDC): void {
  sendPage(ctx, loggedOutPage(messagesOf(ctx, ctx.oidc?.params?.ui_locales), { clientName: ctx.oidc?.client?.clientName }));
}

function describe(t: Messages, out: ErrorOut, error: unknown, status: number): Pick<ErrorView, 'title' | 'message'> {
  if (error instanceof errors.SessionNotFound || (error as { name?: unknown } | null)?.name === 'SessionNotFound') {
    return { title: t.signIn.expiredTitle, message: t.errors.linkExpired };
  }
  if (status >= 500 || out.error === 'server_error') {
    return { title: t.errors.somethingWrong, message: t.errors.serverError };
  }
  return { title: t.errors.somethingWrong, message: t.errors.badRequestFromApp };
}

/** renderError: the status is already set by the provider; `out` never holds a stack trace. */
export function renderError(ctx: KoaContextWithOIDC, out: ErrorOut, error: unknown): void {
  const t = messagesOf(ctx, ctx.oidc?.params?.ui_locales);
  sendPage(ctx, errorPage(t, { ...describe(t, out, error, ctx.status), error: out.error, errorDescription: out.error_description }));
}
