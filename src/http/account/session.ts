// Who is signed in on the account page, and signing them in when nobody is.
//
// The account page reads the person's own Sesame single-sign-on session: the provider's session
// cookie, looked up through oidc-provider's Session model. The admin console keeps a session of
// its own instead (console-sessions.ts) because it is a separate, shorter-lived privilege that must
// end when the admin role goes; the account page is the person's Sesame session itself, so reading
// that session is the cleaner choice:
// - "this device" on the page is exactly the session the browser holds, so "sign out other
//   sessions" and a password change can keep precisely this one and end the rest;
// - signing out of Sesame (anywhere: an app's RP-initiated logout, an admin's revocation, a
//   password change elsewhere) ends the account page at once, with no second session to forget;
// - nothing new is stored.
//
// To sign someone in, the provider needs an authorization request from a client: the page starts
// one as the console's first-party client (no consent page; its registration lists
// /account/callback), with state and PKCE in a short signed cookie scoped to /account, and the
// callback redeems the code (so it is not left lying around) and returns to /account, where the
// provider's new session cookie is what counts. The code's tokens are not kept: the page never
// calls an API with them.
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import * as oidc from 'openid-client';
import { accountCallbackUri, CONSOLE_CLIENT_ID } from '../../domain/clients/reserved.js';

/** The person's Sesame session as the account page needs it. */
export interface SignedInSession {
  accountId: string;
  /** The session's public name (listed on the page as "this device"). */
  uid: string;
  /** The session's id (the cookie value): the account page's CSRF tokens are bound to it. Never shown. */
  id: string;
}

interface ProviderSession {
  accountId?: unknown;
  uid?: unknown;
  id?: unknown;
}

/** The provider's session this browser presents (validly signed and live), with a person in it. */
export async function currentSession(ctx: Context, provider: Provider): Promise<SignedInSession | undefined> {
  // Session.get reads the signed session cookie with the provider's own cookie settings and keys;
  // without a (live) session it returns a new, unsaved one with nobody in it, which is not stored.
  const session = (await (provider.Session as unknown as { get(ctx: Context): Promise<ProviderSession> }).get(ctx)) ?? {};
  const { accountId, uid, id } = session;
  if (typeof accountId !== 'string' || typeof uid !== 'string' || typeof id !== 'string') return undefined;
  return { accountId, uid, id };
}

export const FLOW_COOKIE = 'sesame.account.flow';
export const FLASH_COOKIE = 'sesame.account.flash';
const FLOW_LIFETIME_MS = 10 * 60 * 1000;
const SCOPE = 'openid';

interface Flow {
  state: string;
  verifier: string;
  exp: number;
}

// No `secure`: the cookie jar's default is Secure exactly when the issuer is https (request-origin.ts).
const cookieOptions = (maxAge?: number) => ({
  signed: true,
  httpOnly: true,
  sameSite: 'lax' as const,
  path: '/account',
  overwrite: true,
  ...(maxAge ? { maxAge } : {}),
});

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function decode(value: string | undefined): unknown {
  if (!value) return undefined;
  try {
    return JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function clearCookie(ctx: Context, name: string): void {
  ctx.cookies.set(name, null, cookieOptions());
}

/** A notice for the next page (after a redirect-after-POST): a catalogue key and its argument. */
export interface Flash {
  key:
    | 'nameSaved'
    | 'passwordChanged'
    | 'sessionEnded'
    | 'othersEnded'
    | 'revoked'
    | 'totpRemoved'
    | 'totpAlreadyOn'
    | 'passkeyAdded'
    | 'passkeyRenamed'
    | 'passkeyRemoved';
  count?: number;
  app?: string;
  /** A passkey's name. */
  name?: string;
}

export function setFlash(ctx: Context, flash: Flash): void {
  ctx.cookies.set(FLASH_COOKIE, encode(flash), cookieOptions(60_000));
}

export function takeFlash(ctx: Context): Flash | undefined {
  const value = decode(ctx.cookies.get(FLASH_COOKIE, { signed: true })) as Partial<Flash> | undefined;
  if (!value) return undefined;
  clearCookie(ctx, FLASH_COOKIE);
  const keys: Flash['key'][] = [
    'nameSaved',
    'passwordChanged',
    'sessionEnded',
    'othersEnded',
    'revoked',
    'totpRemoved',
    'totpAlreadyOn',
    'passkeyAdded',
    'passkeyRenamed',
    'passkeyRemoved',
  ];
  if (!keys.includes(value.key as Flash['key'])) return undefined;
  return {
    key: value.key as Flash['key'],
    ...(typeof value.count === 'number' ? { count: value.count } : {}),
    ...(typeof value.app === 'string' ? { app: value.app } : {}),
    ...(typeof value.name === 'string' ? { name: value.name } : {}),
  };
}

export class AccountSignInError extends Error {
  override name = 'AccountSignInError';
}

/** Signing in for the account page: Sesame's own code flow (PKCE S256, state) as the console's client. */
export class AccountSignIn {
  #config: Promise<oidc.Configuration> | undefined;

  constructor(private readonly issuer: string) {}

  private configuration(): Promise<oidc.Configuration> {
    this.#config ??= (async () => {
      const url = new URL(this.issuer);
      // http is only ever accepted for a localhost issuer (config.ts refuses it otherwise).
      const execute = url.protocol === 'http:' ? [oidc.allowInsecureRequests] : [];
      return oidc.discovery(url, CONSOLE_CLIENT_ID, undefined, oidc.None(), { execute });
    })();
    // A failed discovery (the server still starting, say) is tried again on the next sign-in.
    this.#config.catch(() => (this.#config = undefined));
    return this.#config;
  }

  /** Starts a sign-in: remembers the flow in a cookie and returns the authorization URL. */
  async start(ctx: Context): Promise<string> {
    const config = await this.configuration();
    const flow: Flow = { state: oidc.randomState(), verifier: oidc.randomPKCECodeVerifier(), exp: Date.now() + FLOW_LIFETIME_MS };
    ctx.cookies.set(FLOW_COOKIE, encode(flow), cookieOptions(FLOW_LIFETIME_MS));
    return oidc
      .buildAuthorizationUrl(config, {
        redirect_uri: accountCallbackUri(this.issuer),
        scope: SCOPE,
        state: flow.state,
        code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
        code_challenge_method: 'S256',
      })
      .toString();
  }

  /** Finishes a sign-in on /account/callback: checks state and redeems the code with the verifier. */
  async finish(ctx: Context): Promise<void> {
    const flow = decode(ctx.cookies.get(FLOW_COOKIE, { signed: true })) as Partial<Flow> | undefined;
    clearCookie(ctx, FLOW_COOKIE);
    if (!flow || typeof flow.state !== 'string' || typeof flow.verifier !== 'string' || (flow.exp ?? 0) <= Date.now()) {
      throw new AccountSignInError('the sign-in expired or was started in another browser');
    }
    const callback = new URL(accountCallbackUri(this.issuer));
    callback.search = ctx.querystring;
    try {
      await oidc.authorizationCodeGrant(await this.configuration(), callback, { pkceCodeVerifier: flow.verifier, expectedState: flow.state });
    } catch (error) {
      if (error instanceof oidc.AuthorizationResponseError || error instanceof oidc.ResponseBodyError) {
        throw new AccountSignInError(error.error);
      }
      throw error;
    }
  }
}
