// oidc-provider options. Each non-default says why; everything not named here keeps the
// library's default (see oidc-provider's docs/README.md for those).
import { ACR_VALUES } from '../domain/accounts/authentication-methods.js';
import { errors, interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { acrClaimOf, hasMfa, MFA_CHECK, mfaNeed, requestedMfa, type MfaPerson, type MfaRequest } from '../domain/accounts/mfa-policy.js';
import type { Config } from '../config.js';
import { CLAIMS_BY_SCOPE } from '../domain/accounts/account-service.js';
import { usesSecret } from '../domain/clients/client-metadata.js';
import { newRegisteredClientId, newRegisteredClientSecret } from '../domain/clients/client-service.js';
import { AUTH_METHODS, CLIENT_AUTH_SIGNING_ALGS, type AuthMethod } from '../domain/clients/schema.js';
import { encryptionFeatures, encryptionJwa } from './encryption.js';
import { CONSOLE_CLIENT_ID } from '../domain/clients/reserved.js';
import { ValidationError } from '../domain/errors.js';
import type { SigningKey } from '../domain/keys/key-store.js';
import type { AccessRules } from '../domain/groups/access.js';
import { withAccessRules } from './access-check.js';
import { adminScopeGuard, type IsAdminClient } from './admin-scope.js';
import { withAppTokenClaims, type AppTokenClaims } from './app-claims.js';
import { clientBasedCORS } from './cors.js';
import { loadExistingGrant } from './first-party.js';
import { issueRefreshToken, keepRequestedOfflineAccess } from './offline-access.js';
import { pkceRequired } from './pkce-policy.js';
import { REGISTRATION_POLICY } from './initial-access-token.js';
import { introspectionPolicy, revocationPolicy, type IsResourceServer } from './token-access.js';
import { logoutSource, postLogoutSuccessSource, renderError } from './pages.js';
import { sessionTtl } from './session-lifetime.js';

export interface ConfigurationDeps {
  config: Config;
  adapter: Configuration['adapter'];
  findAccount: Configuration['findAccount'];
  /** Private JWKs, or keys that sign in an HSM (KEY_STORE=pkcs11), in signing order (active first). */
  jwks: SigningKey[];
  /** The API scopes a client may get for a resource, or undefined when it is not registered for it. */
  resourceScopes(clientId: string, resource: string): Promise<string[] | undefined>;
  /**
   * Dynamic registration's metadata checked by the client service's rules (the CLI's and the
   * admin API's): what to register, or a ValidationError that says why not.
   */
  validateRegistration(metadata: Record<string, unknown>): Record<string, unknown>;
  /** Whether a client is registered with the `admin` scope (the only ones that may get it). */
  isAdminClient: IsAdminClient;
  /** Whether a client is a resource server (may introspect tokens issued to other clients). */
  isResourceServer: IsResourceServer;
  /** What MFA_POLICY and step-up need to know of a person; absent: sessions are never stepped up. */
  mfaPerson?: (accountId: string) => Promise<MfaPerson | undefined>;
  /** Per-app access rules (clients' allowed_groups); absent: everyone may use every client. */
  access?: AccessRules;
  /** Per-app claims for JWT access tokens (app-claims.ts); ID tokens and userinfo get them from findAccount. */
  appClaims?: AppTokenClaims;
}

/** What an authorization request says about MFA (mfa-policy.ts). */
function mfaRequestOf(ctx: KoaContextWithOIDC): MfaRequest {
  const { params, client, claims } = ctx.oidc;
  return {
    clientRequiresMfa: client?.['require_mfa'] === true,
    acrValues: typeof params?.acr_values === 'string' ? params.acr_values : undefined,
    essentialAcr: acrClaimOf(claims),
  };
}

/**
 * oidc-provider's prompts with one more check on login: a signed-in session without MFA whose
 * request, client or MFA_POLICY needs a second factor (mfa-policy.ts) gets the login prompt again,
 * which the sign-in pages answer with the second factor only (or its enrolment). prompt=none gets
 * login_required instead of a page, as for any other login the session cannot give silently.
 */
export function interactionPolicyWithMfa(mfaPerson: ConfigurationDeps['mfaPerson'], policy: Config['mfaPolicy']): interactionPolicy.Prompt[] {
  const prompts = interactionPolicy.base();
  if (!mfaPerson) return prompts;
  prompts.get('login')!.checks.add(
    new interactionPolicy.Check(MFA_CHECK, 'a second factor is required', 'login_required', async (ctx: KoaContextWithOIDC) => {
      const { session } = ctx.oidc;
      if (!session?.accountId || hasMfa(session.amr)) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      const request = mfaRequestOf(ctx);
      // Nothing can require it: no need to look the person up (most requests, under the default policy).
      if (policy === 'optional' && !requestedMfa(request)) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      const person = await mfaPerson(session.accountId);
      if (!person) return interactionPolicy.Check.NO_NEED_TO_PROMPT; // no such account: the provider refuses it anyway
      return mfaNeed(policy, person, request) ? interactionPolicy.Check.REQUEST_PROMPT : interactionPolicy.Check.NO_NEED_TO_PROMPT;
    }),
  );
  return prompts;
}

/**
 * Whether the session cookie is SameSite=None; Secure, so that it goes with cross-site requests
 * (a form-POSTed authorization request, prompt=none in an iframe): on an https issuer. Browsers
 * refuse SameSite=None without Secure, so an http issuer (development on localhost) keeps Lax.
 */
export function crossSiteSession(issuer: string): boolean {
  return new URL(issuer).protocol === 'https:';
}

/** What the registration endpoint itself sets; the rest of a registration is the client service's. */
const ISSUED = ['client_id', 'client_id_issued_at', 'client_secret', 'client_secret_expires_at'] as const;

/**
 * The policy every initial access token Sesame makes carries (and oidc-provider passes on to the
 * registration access token, so RFC 7592 updates get it too). It runs before oidc-provider's own
 * checks: a request our rules refuse is a 400 invalid_client_metadata with our message, and what
 * passes is replaced by the canonical metadata the client table stores.
 */
function registrationPolicy(validate: ConfigurationDeps['validateRegistration']) {
  return (_ctx: unknown, properties: Record<string, unknown>) => {
    let metadata: Record<string, unknown>;
    try {
      metadata = validate(properties);
    } catch (error) {
      if (error instanceof ValidationError) throw new errors.InvalidClientMetadata(error.message);
      throw error;
    }
    const issued = Object.fromEntries(ISSUED.filter((k) => properties[k] !== undefined).map((k) => [k, properties[k]]));
    // oidc-provider issued a secret for what was asked; what Sesame registers may need none.
    if (!usesSecret(metadata.token_endpoint_auth_method as AuthMethod)) {
      delete issued.client_secret;
      delete issued.client_secret_expires_at;
    }
    for (const key of Object.keys(properties)) delete properties[key];
    Object.assign(properties, metadata, issued);
  };
}

export function buildConfiguration(deps: ConfigurationDeps): Configuration {
  const { config, adapter, findAccount, jwks, resourceScopes, validateRegistration } = deps;
  const { ttl } = config;
  return {
    adapter,
    findAccount,
    jwks: { keys: jwks },
    // Clients live in our clients table and reach the provider through the adapter's Client model.
    clients: [],
    // acr and amr (how the person signed in) come with `openid`: oidc-provider releases a claim
    // only through a scope or the claims parameter, and every ID token should say how (a password,
    // an app's code, a recovery code, a passkey: authentication-methods.ts, passkeys.ts).
    claims: { ...CLAIMS_BY_SCOPE, openid: [...CLAIMS_BY_SCOPE.openid, 'acr', 'amr'] },
    // The claims of the granted scopes (profile: name; email: email, email_verified) go into the
    // ID token too, not only to userinfo: many RP libraries (Auth.js, express-openid-connect,
    // Authlib) build their user from the ID token alone.
    conformIdTokenClaims: false,
    // How a person signed in: the sign-in pages give every login result an acr and amr
    // (authentication-methods.ts), which the session keeps and ID tokens carry; discovery lists
    // these values as acr_values_supported.
    acrValues: [...ACR_VALUES],
    // `admin` stays here so oidc-provider checks it against a client's registered scope; the
    // discovery document leaves it out (discovery.ts), and admin-scope.ts covers clients that
    // have no registered scope for the provider to check against.
    // `groups` releases the groups claim to a client configured for one (claims/groups-claim.ts).
    scopes: ['openid', 'offline_access', 'profile', 'email', 'groups', 'admin'],
    // Every access token passes the admin scope guard; JWT ones for a person get the app's claims (app-claims.ts).
    extraTokenClaims: withAppTokenClaims(adminScopeGuard(deps.isAdminClient), deps.appClaims),
    // Refresh tokens for every client registered for them, bound to the session without
    // offline_access; offline_access once consented, without prompt=consent each time (offline-access.ts).
    issueRefreshToken,
    extraParams: { scope: keepRequestedOfflineAccess },
    // The admin console is first-party: no consent page for it.
    loadExistingGrant: loadExistingGrant(new Set([CONSOLE_CLIENT_ID])),
    cookies: {
      // First key signs, all verify: the same list on every instance lets any of them read a session.
      keys: config.cookieKeys,
      // The session cookie (and its signature) goes with cross-site requests only on an https
      // issuer (crossSiteSession): an authorization request form-POSTed from an RP on another
      // site, and prompt=none in an RP's iframe, then find the person's session. The interaction
      // cookies stay SameSite=Lax (the short ones): they are read only on Sesame's own pages.
      long: crossSiteSession(config.issuer) ? { httpOnly: true, sameSite: 'none', secure: true } : { httpOnly: true, sameSite: 'lax' },
    },
    // OIDC Core 3.1.2.1: the authorization endpoint takes GET and POST (RP-initiated logout's
    // end_session_endpoint too). oidc-provider serves POST only with a SameSite=None session
    // cookie, which browsers keep only when Secure: on an http issuer (development) a POST to /auth
    // goes on as the equivalent GET instead (authorization-post.ts).
    enableHttpPostMethods: crossSiteSession(config.issuer),
    features: {
      // The library's development login accepts any password; we serve our own pages.
      devInteractions: { enabled: false },
      // KEY_STORE=pkcs11: keys are ExternalSigningKeys that sign in the HSM (keys/pkcs11-store.ts).
      // Experimental in oidc-provider: acknowledged at the version this was written against, so an
      // upgrade that changes it fails at start-up instead of signing differently.
      ...(config.keyStore.kind === 'pkcs11' ? { externalSigningSupport: { enabled: true, ack: 'experimental-01' } } : {}),
      // A client introspects its own tokens only, unless it is a resource server (token-access.ts).
      introspection: { enabled: true, allowedPolicy: introspectionPolicy(deps.isResourceServer) },
      revocation: { enabled: true, allowedPolicy: revocationPolicy },
      userinfo: { enabled: true },
      claimsParameter: { enabled: true },
      clientCredentials: { enabled: true },
      backchannelLogout: { enabled: true },
      // Encrypted ID tokens and userinfo for clients that ask, request objects (JAR), encrypted to
      // Sesame's encryption keys or not (encryption.ts).
      ...encryptionFeatures(config),
      // RFC 7591 at /reg, only with an initial access token an admin made (`sesame clients
      // initial-token`, POST /admin/api/v1/initial-access-tokens): never open. Every such token
      // carries REGISTRATION_POLICY, so registrations pass the client service's rules; the
      // adapter stores them in the client table through the client service.
      registration: {
        enabled: true,
        initialAccessToken: true,
        issueRegistrationAccessToken: true,
        idFactory: () => newRegisteredClientId(),
        secretFactory: () => newRegisteredClientSecret(),
        policies: { [REGISTRATION_POLICY]: registrationPolicy(validateRegistration) },
      },
      // RFC 7592: the registered client reads, replaces and deletes its registration with its
      // registration access token, which is replaced on every update.
      registrationManagement: { enabled: true, rotateRegistrationAccessToken: true },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      // RFC 8707: a client asks for an access token for one of the APIs registered for it
      // (`--resource`) and gets an RFC 9068 JWT with that API as `aud`, which the API verifies
      // against jwks_uri. Without a resource, access tokens stay opaque (userinfo, introspection).
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf,
        // The resource named at /auth also applies at /token, so the RP need not repeat it.
        useGrantedResource: () => true,
        getResourceServerInfo: async (_ctx, resource, client) => {
          const scopes = await resourceScopes(client.clientId, resource);
          if (!scopes) throw new errors.InvalidTarget(`resource ${resource} is not registered for this client`);
          return {
            scope: scopes.join(' '),
            audience: resource,
            accessTokenTTL: ttl.accessToken,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: config.signingAlgs[0]! } },
          };
        },
      },
    },
    // The authorization code flow only: no implicit or hybrid tokens in the front channel.
    responseTypes: ['code'],
    // PKCE (S256, the only method oidc-provider 9 accepts): always for public clients, and for
    // confidential ones unless an administrator turned require_pkce off (pkce-policy.ts).
    pkce: { required: pkceRequired },
    // Public clients' refresh tokens rotate on every use; confidential clients' only when
    // registered with rotate_refresh_tokens (the client service works out which: rotatesRefreshTokens).
    // What a used one presented again does is refresh-token-reuse.ts's.
    rotateRefreshToken: (ctx) => ctx.oidc.client?.['rotate_refresh_tokens'] === true,
    // The login prompt also comes back for a second factor a session lacks (step-up: interactionPolicyWithMfa).
    // And an `access` prompt after login for clients with allowed_groups (access-check.ts).
    interactions: {
      policy: withAccessRules(interactionPolicyWithMfa(deps.mfaPerson, config.mfaPolicy), deps.access),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    // Exactly the methods a client can be registered with (schema.ts), which discovery lists for
    // the token, introspection and revocation endpoints alike (discovery.ts).
    clientAuthMethods: [...AUTH_METHODS],
    renderError,
    clientBasedCORS,
    // oidc-provider's outgoing requests carry an SSRF guard that refuses loopback and private
    // addresses; where those are allowed (development, apps on a private network) it is left off.
    ...(config.allowPrivateNetworkRequests
      ? {
          fetch: (url: string | URL | Request, options?: RequestInit) => {
            const { dispatcher: _ssrfGuard, ...rest } = (options ?? {}) as RequestInit & { dispatcher?: unknown };
            return fetch(url, rest);
          },
        }
      : {}),
    // Sesame's own client settings the provider reads (the client service sets them on every client).
    // frontchannel_logout_uri and frontchannel_logout_session_required: oidc-provider 9 dropped
    // Front-Channel Logout; Sesame renders it itself (frontchannel-logout.ts) from these.
    extraClientMetadata: {
      properties: ['require_pkce', 'rotate_refresh_tokens', 'require_mfa', 'frontchannel_logout_uri', 'frontchannel_logout_session_required'],
    },
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: config.signingAlgs[0],
    },
    enabledJWA: {
      // Discovery lists exactly the algorithms we hold keys for.
      idTokenSigningAlgValues: [...config.signingAlgs],
      userinfoSigningAlgValues: [...config.signingAlgs],
      introspectionSigningAlgValues: [...config.signingAlgs],
      authorizationSigningAlgValues: [...config.signingAlgs],
      // Client assertions (client_secret_jwt, private_key_jwt): what a client may register as
      // token_endpoint_auth_signing_alg, and what one without it may use.
      clientAuthSigningAlgValues: [...CLIENT_AUTH_SIGNING_ALGS],
      ...encryptionJwa(config),
    },
    ttl: {
      // Idle SESSION_TTL, and never past SESSION_MAX_AGE after the last sign-in (session-lifetime.ts).
      Session: sessionTtl(ttl),
      Interaction: ttl.interaction,
      AuthorizationCode: ttl.authorizationCode,
      AccessToken: ttl.accessToken,
      IdToken: ttl.idToken,
      RefreshToken: ttl.refreshToken,
      ClientCredentials: ttl.clientCredentials,
      // A grant lives as long as the longest thing issued under it.
      Grant: Math.max(ttl.refreshToken, ttl.sessionMaxAge),
    },
  };
}
