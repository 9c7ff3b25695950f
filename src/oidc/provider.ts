// Builds an oidc-provider instance for the current key set.
import { holdProviderWrites, type HoldWrites } from './held-writes.js';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config.js';
import type { MfaPerson } from '../domain/accounts/mfa-policy.js';
import type { Services } from '../services.js';
import type { AuditRecorder } from '../domain/audit/actions.js';
import type { AccessRules } from '../domain/groups/access.js';
import type { SigningKey } from '../domain/keys/key-store.js';
import { htmlPageHeaders } from '../http/middleware/security-headers.js';
import type { Logger } from '../logger.js';
import { createAdapter } from './adapter.js';
import { releaseAppClaims, type AppTokenClaims } from './app-claims.js';
import { appClaimsOf } from '../domain/claims/sources.js';
import { recordProviderEvents } from './audit-events.js';
import { authorizationPostAsGet } from './authorization-post.js';
import { buildConfiguration, crossSiteSession } from './configuration.js';
import { logProviderErrors } from './error-events.js';
import { adjustDiscovery } from './discovery.js';
import { createFindAccount } from './find-account.js';
import { frontchannelLogout, includeSidForLogoutChannels } from './frontchannel-logout.js';
import { formPostFrameAncestor } from './form-post-framing.js';
import { logoutWithoutUnverifiableHint } from './logout-hint.js';
import { allowRefreshTokenReuse } from './refresh-token-reuse.js';
import { recordRouteNames } from './route-names.js';
import { throttleProviderSecrets } from './secret-throttling.js';
import { reuseClientInstances } from './client-instances.js';
import type { SecretThrottle } from '../domain/throttling/secret-throttle.js';

export interface ProviderDeps {
  config: Config;
  adapter: Configuration['adapter'];
  findAccount: Configuration['findAccount'];
  resourceScopes(clientId: string, resource: string): Promise<string[] | undefined>;
  /** Dynamic registration's metadata through the client service's rules (throws ValidationError). */
  validateRegistration(metadata: Record<string, unknown>): Record<string, unknown>;
  isAdminClient(clientId: string): Promise<boolean>;
  isResourceServer(clientId: string): Promise<boolean>;
  /** What MFA_POLICY and step-up need to know of a person (configuration.ts: interactionPolicyWithMfa). */
  mfaPerson?: (accountId: string) => Promise<MfaPerson | undefined>;
  /** Per-app access rules (clients' allowed_groups): at sign-in and at every refresh. */
  access?: AccessRules;
  /** Per-app claims for JWT access tokens (app-claims.ts). */
  appClaims?: AppTokenClaims;
  /** Records the provider's security events (revocations, sign-outs, failed client authentication). */
  audit?: AuditRecorder;
  /** Counts failed client authentications and registration tokens, and refuses locked clients. */
  secretThrottle?: SecretThrottle;
  /** Where the provider's unexpected failures go (server_error). */
  log?: Logger;
  /** Counts each successful token endpoint response by grant type (the metrics). */
  tokenIssued?(grantType: string): void;
  /** Holds a request's row writes and stores them together before it answers (db/held-writes.ts). */
  holdWrites?: HoldWrites;
  /** The metadata object the adapter reads for a client, the same one while it is unchanged (client-instances.ts). */
  clientMetadata?(clientId: string): Promise<object | undefined>;
}

export function createProvider({ audit, secretThrottle, log, tokenIssued, holdWrites, clientMetadata, ...deps }: ProviderDeps, jwks: SigningKey[]): Provider {
  const provider = new Provider(deps.config.issuer, buildConfiguration({ ...deps, jwks }));
  // A client is built once per version of its metadata, not hashed again on every request.
  if (clientMetadata) reuseClientInstances(provider.Client, clientMetadata);
  // Outermost: the request's writes are stored together before its answer goes out (held-writes.ts).
  if (holdWrites) provider.use(holdProviderWrites(provider, holdWrites));
  // Our app rewrites X-Forwarded-* to the issuer's scheme and host and the trusted source address
  // before it hands a request over (http/middleware/request-origin.ts), so the provider may trust them.
  provider.proxy = true;
  // Front-Channel Logout: the signed-out page with one iframe per app (outermost, so that its own
  // CSP, which lets exactly those apps' origins be framed, is the one sent).
  provider.use(frontchannelLogout(provider));
  includeSidForLogoutChannels(provider);
  // Per-app claims in ID tokens and userinfo, past oidc-provider's static claims filter (app-claims.ts).
  releaseAppClaims(provider);
  // Its own HTML (form_post, error and logout pages) gets the same headers as ours; the form_post
  // page may be framed by its redirect URI's origin (silent sign-in in an iframe: form-post-framing.ts).
  provider.use(htmlPageHeaders(formPostFrameAncestor));
  // A logout whose id_token_hint was signed by a key this provider no longer holds goes on through
  // the confirmation page instead of failing (logout-hint.ts).
  provider.use(
    logoutWithoutUnverifiableHint({
      kids: new Set(jwks.flatMap((key) => (typeof key.kid === 'string' ? [key.kid] : []))),
      path: provider.pathFor('end_session'),
      ...(audit ? { audit } : {}),
      ...(log ? { log } : {}),
    }),
  );
  // POST at /auth: oidc-provider's own on an https issuer; on http, as the equivalent GET (authorization-post.ts).
  if (!crossSiteSession(deps.config.issuer)) provider.use(authorizationPostAsGet(provider.pathFor('authorization')));
  adjustDiscovery(provider);
  // A used refresh token presented again: a grace interval, and no revocation for confidential clients.
  allowRefreshTokenReuse(provider, deps.config.refreshTokenReuseInterval);
  // Our request log and metrics name the provider's routes by its own names (token, authorization).
  recordRouteNames(provider);
  // Every provider gets the listeners: a key change replaces the provider with a new one.
  if (audit) recordProviderEvents(provider, audit);
  if (log) logProviderErrors(provider, log);
  if (secretThrottle && log) throttleProviderSecrets(provider, secretThrottle, log);
  // One event per token response, whatever it holds (access, ID, refresh tokens).
  if (tokenIssued) provider.on('grant.success', (ctx: KoaContextWithOIDC) => tokenIssued(String(ctx.oidc.params?.grant_type)));
  return provider;
}

/**
 * A person as MFA_POLICY and step-up see them: an admin or not, with a second factor or not. A
 * passkey counts: it answers a second step after the password (the interaction pages offer it), so
 * a person whose only factor is a passkey is asked for it rather than to add an authenticator app.
 */
export function mfaPersonOf(
  accounts: { findById(id: string): Promise<{ isAdmin: boolean } | undefined> },
  secondFactors: { required(accountId: string): Promise<unknown[]> },
  passkeys?: { count(accountId: string): Promise<number> },
): (accountId: string) => Promise<MfaPerson | undefined> {
  return async (accountId) => {
    const account = await accounts.findById(accountId);
    if (!account) return undefined;
    const hasFactor = (await secondFactors.required(accountId)).length > 0 || (passkeys !== undefined && (await passkeys.count(accountId)) > 0);
    return { isAdmin: account.isAdmin, hasFactor };
  };
}

/** What a provider is built from: the server's services, and the CLI's when it needs a provider. */
export type ProviderServices = Pick<Services, 'config' | 'payloads' | 'clients' | 'accounts' | 'audit' | 'secretThrottle' | 'log'> &
  Partial<Pick<Services, 'secondFactors' | 'passkeys' | 'access' | 'groups'>>;

/** The provider's dependencies on Sesame's services: the server's, and the CLI's when it needs a provider. */
export function providerDepsFor(container: ProviderServices): ProviderDeps {
  const { payloads, clients, accounts } = container;
  const claims = appClaimsOf(container);
  return {
    config: container.config,
    adapter: createAdapter({ payloads, clients }),
    findAccount: createFindAccount(accounts, claims, container.access),
    appClaims: { claims, person: (accountId) => accounts.findActive(accountId) },
    resourceScopes: (clientId, resource) => clients.resourceScopes(clientId, resource),
    validateRegistration: (metadata) => clients.validateRegistration(metadata),
    isAdminClient: (clientId) => clients.isAdminClient(clientId),
    isResourceServer: (clientId) => clients.isResourceServer(clientId),
    ...(container.secondFactors ? { mfaPerson: mfaPersonOf(container.accounts, container.secondFactors, container.passkeys) } : {}),
    ...(container.access ? { access: container.access } : {}),
    audit: container.audit,
    secretThrottle: container.secretThrottle,
    log: container.log,
    holdWrites: (work) => payloads.holdingWrites(work),
    clientMetadata: (clientId) => clients.findForProvider(clientId),
  };
}
