// Signing in to the console and out of it, and the guard in front of every other console page:
// the session is re-read on every request, so a disabled user or a revoked admin role ends
// console access at once, and so does MFA_POLICY requiring a second factor of an admin whose
// session began without one (a session from before the policy changed): signing in again steps
// the Sesame session up. The flow itself and the cookies are in session.ts.
import type { Context, Middleware, Next } from 'koa';
import type { Services } from '../../services.js';
import type { User } from '../../domain/accounts/account-service.js';
import { policyRequires, type MfaPolicy } from '../../domain/accounts/mfa-policy.js';
import { notAdminPage } from '../../../views/console/not-admin.js';
import { signedOutPage, signInFailedPage } from '../../../views/console/outside.js';
import { messagesOf } from '../page-language.js';
import { admin, by, consoleHeaders, send, seeOther, type ConsoleRoutes, type ConsoleState } from './context.js';
import type { ConsoleClient } from './own-client.js';
import {
  clearCookie,
  ConsoleSignIn,
  mayAdminister,
  readSessionId,
  SESSION_COOKIE,
  SESSION_LIFETIME_MS,
  setFlash,
  SignInError,
  writeSessionId,
} from './session.js';

export interface SignInDeps extends Pick<Services, 'accounts' | 'audit' | 'log' | 'consoleSessions'> {
  issuer: string;
  /** The console's own registration (own-client.ts). */
  client: ConsoleClient;
  signIn: ConsoleSignIn;
  /** MFA_POLICY: whether the console's admins must have signed in with a second factor. */
  mfaPolicy: MfaPolicy;
}

/** Where "Use another account" starts a fresh sign-in (prompt=login), so SSO does not answer for them. */
export const ANOTHER_ACCOUNT_PATH = '/admin/sign-in/another-account';

/**
 * The refusal, with a way out: sign out of Sesame, or sign in as someone else. In the person's
 * language (Accept-Language), like the signed-out and sign-in-failed pages: anyone can reach them.
 */
function notAnAdmin(ctx: Context, client: ConsoleClient, issuer: string, email: string | undefined) {
  const { clientId, postLogoutRedirectUri } = client;
  return notAdminPage(messagesOf(ctx), email, {
    endSession: { action: `${issuer}/session/end`, params: { client_id: clientId, post_logout_redirect_uri: postLogoutRedirectUri, state: 'signed-out' } },
    anotherAccount: ANOTHER_ACCOUNT_PATH,
  });
}

/** The signed-in admin, re-read on every request; otherwise off to sign in (or a 403). */
export function requireAdmin({ accounts, consoleSessions, signIn, client, issuer, mfaPolicy }: SignInDeps): Middleware {
  return async (ctx: Context, next: Next) => {
    const sessionId = readSessionId(ctx);
    const session = sessionId ? await consoleSessions.find(sessionId) : undefined;
    if (!sessionId || !session) {
      if (ctx.method === 'GET' || ctx.method === 'HEAD') {
        if (ctx.path === '/admin' && ctx.query.state === 'signed-out') {
          send(ctx, signedOutPage(messagesOf(ctx)));
          return;
        }
        ctx.redirect(await signIn.start(ctx, ctx.originalUrl));
      } else {
        setFlash(ctx, 'Your console session ended: sign in again.', 'error');
        seeOther(ctx, '/admin');
      }
      return;
    }
    const user = await accounts.findById(session.userId);
    if (!mayAdminister(user)) {
      await consoleSessions.end(sessionId);
      clearCookie(ctx, SESSION_COOKIE);
      send(ctx, notAnAdmin(ctx, client, issuer, (user as User | undefined)?.email), 403);
      return;
    }
    if (!session.mfa && policyRequires(mfaPolicy, user)) {
      // Ended, and signed in again: Sesame's sign-in asks this admin for the second factor (or to
      // add one) before it answers the console, as MFA_POLICY says.
      await consoleSessions.end(sessionId);
      clearCookie(ctx, SESSION_COOKIE);
      if (ctx.method === 'GET' || ctx.method === 'HEAD') {
        ctx.redirect(await signIn.start(ctx, ctx.originalUrl));
      } else {
        setFlash(ctx, 'The console needs a second factor now: sign in again.', 'error');
        seeOther(ctx, '/admin');
      }
      return;
    }
    Object.assign(ctx.state as ConsoleState, { admin: user, consoleSession: sessionId });
    await next();
  };
}

/** /admin/callback (the end of the sign-in flow, so before anyone is signed in) and /admin/logout. */
export function signInRoutes({ router, post }: ConsoleRoutes, deps: SignInDeps): void {
  const { accounts, audit, log, consoleSessions, signIn, client, issuer, mfaPolicy } = deps;

  router.get('/admin/callback', consoleHeaders, async (ctx) => {
    let result;
    try {
      result = await signIn.finish(ctx);
    } catch (error) {
      if (!(error instanceof SignInError)) log.warn('console sign-in failed', { err: error });
      send(ctx, signInFailedPage(messagesOf(ctx), error instanceof SignInError ? error.reason : 'failed'), 400);
      return;
    }
    const user = await accounts.findById(result.sub);
    if (!mayAdminister(user)) {
      await audit.record({ actor: `user:${result.sub}`, sourceAddress: ctx.ip }, { action: 'console.denied', target: `user:${result.sub}` });
      send(ctx, notAnAdmin(ctx, client, issuer, (user as User | undefined)?.email), 403);
      return;
    }
    if (!result.mfa && policyRequires(mfaPolicy, user)) {
      // Sesame's sign-in requires MFA of this admin (interactionPolicyWithMfa), so an ID token
      // without it means instances disagree about MFA_POLICY: refused, rather than sent round again.
      await audit.record({ actor: `user:${result.sub}`, sourceAddress: ctx.ip }, { action: 'console.denied', target: `user:${result.sub}` });
      log.warn('console sign-in without the second factor MFA_POLICY requires (is MFA_POLICY the same on every instance?)', { sub: result.sub });
      send(ctx, signInFailedPage(messagesOf(ctx), 'noSecondFactor'), 403);
      return;
    }
    writeSessionId(ctx, await consoleSessions.start(user.id, SESSION_LIFETIME_MS, result.mfa));
    await audit.record({ actor: `user:${user.id}`, sourceAddress: ctx.ip }, { action: 'console.signed_in', target: `user:${user.id}` });
    ctx.redirect(result.returnTo);
  });

  // Before anyone is signed in, like the callback: a new flow that asks for credentials again.
  router.get(ANOTHER_ACCOUNT_PATH, consoleHeaders, async (ctx) => {
    ctx.redirect(await signIn.start(ctx, '/admin', { prompt: 'login' }));
  });

  router.post('/admin/logout', ...post, async (ctx) => {
    // Ended on the server: the cookie, wherever a copy of it is, signs nobody in any more.
    await consoleSessions.end((ctx.state as ConsoleState).consoleSession);
    clearCookie(ctx, SESSION_COOKIE);
    await audit.record(by(ctx), { action: 'console.signed_out', target: `user:${admin(ctx).id}` });
    // Also end the Sesame session (oidc-provider asks to confirm), then back to a signed-out page.
    const { clientId, postLogoutRedirectUri } = client;
    const end = new URL(`${issuer}/session/end`);
    end.search = new URLSearchParams({ client_id: clientId, post_logout_redirect_uri: postLogoutRedirectUri, state: 'signed-out' }).toString();
    seeOther(ctx, end.toString());
  });
}
