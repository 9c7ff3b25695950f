// Signing in to the console: Sesame's own authorization code flow (PKCE S256, state, nonce), run
// server-side against the issuer with openid-client, then a signed session cookie.
//
// - `sesame.console.flow` (10 minutes, signed): state, nonce, PKCE verifier and where to return.
// - `sesame.console` (8 hours, signed): a random session id. The session lives on the server
//   (domain/accounts/console-sessions.ts), so signing out ends it for good, even for a copied
//   cookie. Every request re-reads the session and the user (indexed reads), so disabling a user
//   or taking their admin role away ends their console access at once.
// Both cookies are httpOnly, SameSite=Lax, Secure on an https issuer, and scoped to /admin.
import type { Context } from 'koa';
import * as oidc from 'openid-client';
import type { User } from '../../domain/accounts/account-service.js';
import { hasMfa } from '../../domain/accounts/mfa-policy.js';
import { CONSOLE_SCOPE, type ConsoleClient } from './own-client.js';

export const SESSION_COOKIE = 'sesame.console';
export const FLOW_COOKIE = 'sesame.console.flow';
export const FLASH_COOKIE = 'sesame.console.flash';
export const SESSION_LIFETIME_MS = 8 * 60 * 60 * 1000;
const FLOW_LIFETIME_MS = 10 * 60 * 1000;

interface Flow {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
  exp: number;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function decode(value: string | undefined): unknown {
  if (!value) return undefined;
  try {
    return JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

// No `secure` here: the cookie jar's default is Secure exactly when the issuer is https
// (middleware/request-origin.ts), even behind a proxy that speaks plain http to us.
function cookieOptions(maxAge: number) {
  return { signed: true, httpOnly: true, sameSite: 'lax' as const, path: '/admin', maxAge, overwrite: true };
}

export function clearCookie(ctx: Context, name: string): void {
  ctx.cookies.set(name, null, { signed: true, httpOnly: true, sameSite: 'lax', path: '/admin', overwrite: true });
}

/** Longest return path kept: the flow cookie holding it must stay well under a browser's 4 kB. */
const MAX_RETURN_TO = 1000;

/** Only console paths may be returned to after sign-in (no open redirect). */
export function safeReturnTo(value: unknown): string {
  return typeof value === 'string' &&
    value.length <= MAX_RETURN_TO &&
    /^\/admin(\/[A-Za-z0-9/_\-.%]*)?(\?[^#\\]*)?$/.test(value) &&
    !value.startsWith('/admin/api')
    ? value
    : '/admin';
}

/** The console session id the browser presents (validly signed), if any. */
export function readSessionId(ctx: Context): string | undefined {
  return ctx.cookies.get(SESSION_COOKIE, { signed: true }) || undefined;
}

export function writeSessionId(ctx: Context, sessionId: string): void {
  ctx.cookies.set(SESSION_COOKIE, sessionId, cookieOptions(SESSION_LIFETIME_MS));
}

/** A one-line message for the next page (after a redirect-after-POST). */
export function setFlash(ctx: Context, message: string, kind: 'ok' | 'error' = 'ok'): void {
  ctx.cookies.set(FLASH_COOKIE, encode({ message, kind }), cookieOptions(60_000));
}

export function takeFlash(ctx: Context): { message: string; kind: 'ok' | 'error' } | undefined {
  const value = decode(ctx.cookies.get(FLASH_COOKIE, { signed: true })) as { message?: unknown; kind?: unknown } | undefined;
  if (!value) return undefined;
  clearCookie(ctx, FLASH_COOKIE);
  if (typeof value.message !== 'string') return undefined;
  return { message: value.message, kind: value.kind === 'error' ? 'error' : 'ok' };
}

/** The console as an openid-client relying party of its own issuer. */
export class ConsoleSignIn {
  #config: Promise<oidc.Configuration> | undefined;

  constructor(
    private readonly issuer: string,
    private readonly client: ConsoleClient,
  ) {}

  configuration(): Promise<oidc.Configuration> {
    this.#config ??= (async () => {
      const { clientId } = this.client;
      const url = new URL(this.issuer);
      // http is only ever accepted for a localhost issuer (config.ts refuses it otherwise).
      const execute = url.protocol === 'http:' ? [oidc.allowInsecureRequests] : [];
      return oidc.discovery(url, clientId, undefined, oidc.None(), { execute });
    })();
    // A failed discovery (the server still starting, say) is tried again on the next sign-in.
    this.#config.catch(() => {
      this.#config = undefined;
    });
    return this.#config;
  }

  /**
   * Starts a sign-in: remembers the flow in a cookie and returns the authorization URL.
   * `prompt: 'login'` makes Sesame ask for credentials even when a session exists (another account).
   */
  async start(ctx: Context, returnTo: string, options: { prompt?: 'login' } = {}): Promise<string> {
    const config = await this.configuration();
    const { redirectUri } = this.client;
    const flow: Flow = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
      returnTo: safeReturnTo(returnTo),
      exp: Date.now() + FLOW_LIFETIME_MS,
    };
    ctx.cookies.set(FLOW_COOKIE, encode(flow), cookieOptions(FLOW_LIFETIME_MS));
    return oidc
      .buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: CONSOLE_SCOPE,
        state: flow.state,
        nonce: flow.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
        code_challenge_method: 'S256',
        ...(options.prompt ? { prompt: options.prompt } : {}),
      })
      .toString();
  }

  /**
   * Finishes a sign-in on /admin/callback: checks state, exchanges the code with the PKCE
   * verifier, validates the ID token (issuer, audience, nonce, expiry) and returns its subject and
   * whether the sign-in had a second factor (its amr). Throws on anything wrong; the flow cookie
   * is gone either way.
   */
  async finish(ctx: Context): Promise<{ sub: string; mfa: boolean; returnTo: string }> {
    const flow = decode(ctx.cookies.get(FLOW_COOKIE, { signed: true })) as Partial<Flow> | undefined;
    clearCookie(ctx, FLOW_COOKIE);
    if (!flow || typeof flow.state !== 'string' || typeof flow.nonce !== 'string' || typeof flow.verifier !== 'string' || (flow.exp ?? 0) <= Date.now()) {
      throw new SignInError('expired', 'the sign-in expired or was started in another browser');
    }
    const config = await this.configuration();
    const { redirectUri } = this.client;
    const callback = new URL(redirectUri);
    callback.search = ctx.querystring;
    let tokens;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      if (error instanceof oidc.AuthorizationResponseError && error.error === 'access_denied') {
        throw new SignInError('cancelled', 'the sign-in was cancelled');
      }
      throw error;
    }
    const claims = tokens.claims();
    const sub = claims?.sub;
    if (!sub) throw new SignInError('noSubject', 'the ID token has no sub');
    const amr = Array.isArray(claims.amr) ? claims.amr.filter((value): value is string => typeof value === 'string') : undefined;
    return { sub, mfa: hasMfa(amr), returnTo: safeReturnTo(flow.returnTo) };
  }
}

/** A sign-in that failed for a reason the person is told (in their language: views/i18n/console.ts). */
export class SignInError extends Error {
  override name = 'SignInError';

  constructor(
    readonly reason: 'expired' | 'cancelled' | 'noSubject',
    message: string,
  ) {
    super(message);
  }
}

/** Whether this user may use the console now. */
export const mayAdminister = (user: User | undefined): user is User => !!user && user.isAdmin && !user.disabled;
