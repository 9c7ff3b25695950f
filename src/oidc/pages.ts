// oidc-provider's page hooks (logout confirmation, post-logout success, error page), rendered
// from views/ with the same escaping and security headers as our interaction pages.
import { errors, type ErrorOut, type KoaContextWithOIDC } from 'oidc-provider';
import { errorPage, type ErrorView } from '../../views/error.js';
import { loggedOutPage } from '../../views/logged-out.js';
import { logoutPage } from '../../views/logout.js';
import { raw } from '../../views/html.js';
import { sendPage } from '../http/send-page.js';

/** features.rpInitiatedLogout.logoutSource: "Sign out of <app>?" */
export function logoutSource(ctx: KoaContextWithOIDC, form: string): void {
  // `form` is oidc-provider's own markup: a <form id="op.logoutForm"> built from its end-session
  // URL and a random xsrf secret, with no request data in it. It is trusted as-is.
  sendPage(ctx, logoutPage({ clientName: ctx.oidc?.client?.clientName, form: raw(form) }));
}

/** features.rpInitiatedLogout.postLogoutSuccessSource: shown when the app gave no redirect. */
export function postLogoutSuccessSource(ctx: KoaContextWithOIDC): void {
  sendPage(ctx, loggedOutPage({ clientName: ctx.oidc?.client?.clientName }));
}

function describe(out: ErrorOut, error: unknown, status: number): Pick<ErrorView, 'title' | 'message'> {
  if (error instanceof errors.SessionNotFound || (error as { name?: unknown } | null)?.name === 'SessionNotFound') {
    return { title: 'Sign-in expired', message: 'This sign-in link has expired. Go back to the app and start again.' };
  }
  if (status >= 500 || out.error === 'server_error') {
    return { title: 'Something went wrong', message: 'Sesame could not finish this request. Try again in a moment.' };
  }
  return {
    title: 'Something went wrong',
    message: 'The app sent a request that Sesame could not accept. Go back to the app and try again.',
  };
}

/** renderError: the status is already set by the provider; `out` never holds a stack trace. */
export function renderError(ctx: KoaContextWithOIDC, out: ErrorOut, error: unknown): void {
  sendPage(ctx, errorPage({ ...describe(out, error, ctx.status), error: out.error, errorDescription: out.error_description }));
}
