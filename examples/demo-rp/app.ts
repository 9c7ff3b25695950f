// A demo relying party: a small Koa app that signs people in with Sesame through openid-client
// (authorization code + PKCE + state + nonce), calls its own API with the access token, verifies
// that token with jose against the OP's jwks_uri, and ends sessions on back-channel logout.
//
// Everything it needs about the OP comes from discovery (/.well-known/openid-configuration).
import { timingSafeEqual } from 'node:crypto';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { createRemoteJWKSet } from 'jose';
import Koa, { type Context } from 'koa';
import * as oidc from 'openid-client';
import { messagePage, signedInPage, signedOutPage, stylesheet, type ApiResult } from './pages.js';
import { SessionStore, type AppSession, type PendingLogin, type SignedInUser } from './sessions.js';
import { createLogoutTokenVerifier, KeysUnavailable, TokenRejected, verifyAccessToken } from './tokens.js';

export interface DemoAppOptions {
  /** Shown on every page ("App A"); also names the session cookie, so two apps need two names. */
  name: string;
  /** Where the app is reached, without a trailing slash: http://localhost:4001. */
  baseUrl: string;
  /** Sesame's issuer: http://localhost:3000. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** One line per notable event (sign-in, logout); silent by default. */
  log?: (line: string) => void;
}

export interface DemoApp {
  app: Koa;
  sessions: SessionStore;
  /** The identifier of this app's API: the `resource` it asks for and the access tokens' `aud`. */
  apiAudience: string;
}

/**
 * `api` is the API's scope (granted for the `resource` below). `offline_access` brings a refresh
 * token, once the person allowed it on Sesame's consent page (no prompt=consent needed); without
 * one, an expired access token means a quick sign-in round trip.
 */
export const SCOPE = 'openid profile email offline_access api';

export async function createDemoApp(options: DemoAppOptions): Promise<DemoApp> {
  const { name, clientId } = options;
  const log = options.log ?? (() => {});
  const base = new URL(options.baseUrl);
  const baseUrl = base.origin + base.pathname.replace(/\/+$/, '');
  const redirectUri = `${baseUrl}/callback`;
  const postLogoutRedirectUri = `${baseUrl}/`;
  const apiAudience = `${baseUrl}/api`;
  const secure = base.protocol === 'https:';

  const issuerUrl = new URL(options.issuer);
  const insecure = issuerUrl.protocol === 'http:';
  const config = await oidc.discovery(issuerUrl, clientId, options.clientSecret, oidc.ClientSecretBasic(options.clientSecret), {
    // Plain http is accepted for a development issuer only (Sesame itself allows it on localhost).
    ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
  });
  const metadata = config.serverMetadata();
  if (!metadata.jwks_uri) throw new Error(`${options.issuer} publishes no jwks_uri`);
  const keys = createRemoteJWKSet(new URL(metadata.jwks_uri));
  const verifyLogoutToken = createLogoutTokenVerifier({ issuer: metadata.issuer, clientId, keys });

  const sessions = new SessionStore();
  const cookieName = `${
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_|_$/g, '') || 'demo'
  }_session`;
  const formAction = `'self' ${new URL(metadata.end_session_endpoint ?? metadata.issuer).origin}`;

  const app = new Koa();
  // Behind https the app is assumed to sit behind a TLS-terminating proxy that sets X-Forwarded-Proto.
  app.proxy = secure;

  function current(ctx: Context): AppSession | undefined {
    return sessions.get(ctx.cookies.get(cookieName));
  }

  function setCookie(ctx: Context, session: AppSession | undefined): void {
    ctx.cookies.set(cookieName, session?.id ?? '', {
      httpOnly: true,
      sameSite: 'lax',
      secure,
      path: '/',
      overwrite: true,
      ...(session ? {} : { maxAge: 0 }),
    });
  }

  function page(ctx: Context, html: string, status = 200): void {
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = html;
    ctx.set('Cache-Control', 'no-store');
    ctx.set(
      'Content-Security-Policy',
      `default-src 'none'; style-src 'self'; img-src 'self'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    );
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
  }

  function json(ctx: Context, status: number, body: unknown): void {
    ctx.status = status;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
  }

  function home(ctx: Context, api?: ApiResult): void {
    const session = current(ctx);
    if (session?.user) page(ctx, signedInPage(name, session.user, session.csrf, api));
    else page(ctx, signedOutPage(name));
  }

  const router = new Router();
  const parseForm = bodyParser({ enableTypes: ['form'], formLimit: '64kb' });

  router.get('/', (ctx) => home(ctx));

  router.get('/style.css', (ctx) => {
    ctx.type = 'text/css';
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = stylesheet(name);
  });

  router.get('/favicon.ico', (ctx) => {
    ctx.status = 204;
  });

  /** Sends the browser to Sesame: authorization code + PKCE (S256) + state + nonce. */
  async function startLogin(ctx: Context, returnTo: PendingLogin['returnTo']): Promise<void> {
    let session = current(ctx);
    if (!session) {
      session = sessions.create();
      setCookie(ctx, session);
    }
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    session.pending = { state, nonce, codeVerifier, startedAt: Date.now(), returnTo };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: SCOPE,
      // RFC 8707: the access token is for this app's API, so it is a JWT with that API as `aud`.
      resource: apiAudience,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    ctx.redirect(url.href);
  }

  router.get('/login', (ctx) => startLogin(ctx, '/'));

  router.get('/callback', async (ctx) => {
    const session = current(ctx);
    const pending = session?.pending;
    if (!session || !pending) {
      page(
        ctx,
        messagePage(name, 'No sign-in in progress', 'This page is the end of a sign-in that was not started here, or has already finished. Start again.'),
        400,
      );
      return;
    }
    session.pending = undefined;
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      const callbackUrl = new URL(redirectUri);
      callbackUrl.search = ctx.querystring;
      tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      if (error instanceof oidc.AuthorizationResponseError) {
        const denied = error.error === 'access_denied';
        log(`sign-in ended with ${error.error}`);
        page(
          ctx,
          messagePage(
            name,
            denied ? 'Sign-in cancelled' : 'Sign-in failed',
            denied ? `You chose not to sign in to ${name}. Nothing was shared.` : 'Sesame did not sign you in.',
            [error.error, error.error_description].filter(Boolean).join(': '),
          ),
          denied ? 200 : 400,
        );
        return;
      }
      log(`sign-in failed: ${error instanceof Error ? error.message : String(error)}`);
      page(ctx, messagePage(name, 'Sign-in failed', 'The answer from Sesame could not be accepted. Start again.', oauthCode(error)), 400);
      return;
    }

    const claims = tokens.claims()!;
    let profile: Record<string, unknown> = claims;
    // Sesame puts the profile claims in the ID token when the access token is for an API;
    // otherwise they are at the userinfo endpoint.
    if (claims.email === undefined && claims.name === undefined) {
      profile = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub).catch(() => claims);
    }
    const signedIn = sessions.signIn(session, {
      sub: claims.sub,
      sid: typeof claims.sid === 'string' ? claims.sid : undefined,
      name: typeof profile.name === 'string' ? profile.name : undefined,
      email: typeof profile.email === 'string' ? profile.email : undefined,
      emailVerified: profile.email_verified === true,
      idToken: tokens.id_token!,
      accessToken: tokens.access_token,
      accessTokenExpiresAt: expiresAt(tokens.expiresIn()),
      refreshToken: tokens.refresh_token,
      scope: tokens.scope,
      signedInAt: Date.now(),
    });
    setCookie(ctx, signedIn);
    log(`signed in: sub=${claims.sub}${typeof claims.sid === 'string' ? ` sid=${claims.sid}` : ''}`);
    ctx.status = 303;
    ctx.redirect(pending.returnTo);
  });

  router.get('/call-api', async (ctx) => {
    const session = current(ctx);
    if (!session?.user) {
      ctx.status = 303;
      ctx.redirect('/');
      return;
    }
    await refreshIfExpired(session);
    // No refresh token, or it no longer works: sign in again, which the Sesame session makes a
    // quick round trip.
    if (expired(session.user) && Date.now() - session.user.signedInAt > 30_000) {
      await startLogin(ctx, '/call-api');
      return;
    }
    const response = await fetch(`${baseUrl}/api/me`, {
      headers: { authorization: `Bearer ${session.user.accessToken}`, accept: 'application/json' },
    });
    home(ctx, { status: response.status, body: await response.text() });
  });

  /** An expired access token is replaced using the refresh token, when there is one. */
  async function refreshIfExpired(session: AppSession): Promise<void> {
    const user = session.user;
    if (!user?.refreshToken || !expired(user)) return;
    try {
      const tokens = await oidc.refreshTokenGrant(config, user.refreshToken, { resource: apiAudience });
      sessions.updateTokens(session, {
        accessToken: tokens.access_token,
        accessTokenExpiresAt: expiresAt(tokens.expiresIn()),
        refreshToken: tokens.refresh_token ?? user.refreshToken,
        scope: tokens.scope ?? user.scope,
      });
    } catch (error) {
      // The API call shows what the old token gets; signing in again fixes it.
      log(`refresh failed: ${oauthCode(error)}`);
    }
  }

  router.post('/logout', parseForm, (ctx) => {
    const session = current(ctx);
    const body = ctx.request.body as Record<string, unknown> | undefined;
    if (!session?.user) {
      ctx.status = 303;
      ctx.redirect('/');
      return;
    }
    if (!sameSecret(body?.csrf, session.csrf)) {
      page(ctx, messagePage(name, 'Form not accepted', 'This sign-out form is out of date. Go back, reload the page and try again.'), 403);
      return;
    }
    const idToken = session.user.idToken;
    sessions.delete(session.id);
    setCookie(ctx, undefined);
    log('signed out here; asking Sesame to end its session');
    ctx.status = 303;
    ctx.redirect(oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: postLogoutRedirectUri }).href);
  });

  router.get('/api/me', async (ctx) => {
    const header = ctx.get('authorization');
    const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header);
    if (!match) {
      ctx.set('WWW-Authenticate', `Bearer realm="${name} API"`);
      json(ctx, 401, { error: 'invalid_token', error_description: 'send an access token: Authorization: Bearer <token>' });
      return;
    }
    try {
      const claims = await verifyAccessToken(match[1]!, { issuer: metadata.issuer, audience: apiAudience, keys });
      if (!claims.scope.split(' ').includes('api')) {
        ctx.set('WWW-Authenticate', `Bearer realm="${name} API", error="insufficient_scope", scope="api"`);
        json(ctx, 403, { error: 'insufficient_scope', error_description: 'the token does not carry the "api" scope' });
        return;
      }
      json(ctx, 200, { sub: claims.sub, scope: claims.scope, aud: claims.aud });
    } catch (error) {
      if (error instanceof TokenRejected) {
        ctx.set('WWW-Authenticate', `Bearer realm="${name} API", error="invalid_token"`);
        json(ctx, 401, { error: 'invalid_token', error_description: error.message });
        return;
      }
      if (error instanceof KeysUnavailable) {
        json(ctx, 503, { error: 'temporarily_unavailable', error_description: error.message });
        return;
      }
      throw error;
    }
  });

  router.post('/backchannel-logout', parseForm, async (ctx) => {
    const body = ctx.request.body as Record<string, unknown> | undefined;
    const token = body?.logout_token;
    if (typeof token !== 'string' || !token) {
      json(ctx, 400, { error: 'invalid_request', error_description: 'logout_token is required' });
      return;
    }
    try {
      const target = await verifyLogoutToken(token);
      const ended = sessions.endByLogoutToken(target);
      log(`back-channel logout (${target.sid ? `sid=${target.sid}` : `sub=${target.sub}`}): ended ${ended} session(s)`);
      ctx.status = 200;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = '';
    } catch (error) {
      if (error instanceof TokenRejected) {
        log(`back-channel logout refused: ${error.message}`);
        json(ctx, 400, { error: 'invalid_request', error_description: error.message });
        return;
      }
      if (error instanceof KeysUnavailable) {
        json(ctx, 503, { error: 'temporarily_unavailable', error_description: error.message });
        return;
      }
      throw error;
    }
  });

  // A bad form body (wrong type, too large) is the caller's fault, not a crash.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        if (ctx.path === '/backchannel-logout' || ctx.path.startsWith('/api/')) json(ctx, status, { error: 'invalid_request' });
        else page(ctx, messagePage(name, 'Request not accepted', 'The request could not be read.'), status);
        return;
      }
      log(`error on ${ctx.method} ${ctx.path}: ${error instanceof Error ? error.message : String(error)}`);
      page(ctx, messagePage(name, 'Something went wrong', `${name} could not finish this request. Try again in a moment.`), 500);
    }
  });
  app.use(router.routes());
  app.use(router.allowedMethods());

  return { app, sessions, apiAudience };
}

/** Whether the access token has expired or is about to (it would not survive the API call). */
function expired(user: SignedInUser): boolean {
  return user.accessTokenExpiresAt !== undefined && user.accessTokenExpiresAt <= Date.now() + 5_000;
}

function expiresAt(expiresIn: number | undefined): number | undefined {
  return expiresIn === undefined ? undefined : Date.now() + expiresIn * 1000;
}

function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The OAuth error code of an openid-client error, for logs and error pages. */
function oauthCode(error: unknown): string {
  const e = error as { error?: unknown; code?: unknown; message?: unknown };
  if (typeof e.error === 'string') return e.error;
  if (typeof e.code === 'string') return e.code;
  return 'unexpected_error';
}
