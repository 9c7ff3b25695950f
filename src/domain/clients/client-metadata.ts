// How a client's fields must fit together, and the metadata Sesame stores for it. One set of rules
// for the CLI, the admin API, the console and dynamic registration (the fields themselves are in
// schema.ts); every rejection names the field and says what is accepted.
import { normalizeExtraClaims, type ExtraClaims } from '../claims/extra-claims.js';
import { checkGroupsClaimAgainst, normalizeGroupsClaim, type GroupsClaim } from '../claims/groups-claim.js';
import { ValidationError } from '../errors.js';
import { isPlainText, NOT_PLAIN_TEXT } from '../text.js';
import { checkClientKeys, type JsonWebKeySet } from './client-keys.js';
import { checkNotReserved } from './reserved.js';
import {
  GRANT_TYPES,
  parseClientRegistration,
  PLAIN_FIELDS,
  SECRET_JWT_ALGS,
  unsupportedGrantMessage,
  type AuthMethod,
  type ClientAuthSigningAlg,
  type ClientEncryptionAlg,
  type ClientEncryptionEnc,
  type ClientRegistration,
  type GrantType,
  type PlainField,
} from './schema.js';

export { GRANT_TYPES, unsupportedGrantMessage, type GrantType } from './schema.js';

/** What the deployment allows, as opposed to what one client asks for. */
export interface ClientPolicy {
  /** SIGNING_ALGS: the algorithms the provider holds keys for, in order. */
  signingAlgs: readonly string[];
  /** ISSUER: its origin is Sesame's own, and no client but the console may point there. */
  issuer: string;
}

/** oidc-provider client metadata, without client_id and client_secret. */
export type ClientMetadata = StoredMetadata & Partial<Pick<ClientRegistration, PlainField>>;

interface StoredMetadata {
  client_name: string;
  application_type: 'web' | 'native';
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  backchannel_logout_uri?: string;
  /** Stored only as false (turned off) with a back-channel URI: the logout token then carries no sid. */
  backchannel_logout_session_required?: false;
  /** Front-Channel Logout 1.0: loaded in an iframe of the signed-out page (Sesame's own field for the provider). */
  frontchannel_logout_uri?: string;
  /** Stored only as false (turned off) with a front-channel URI: the iframe then gets no iss and sid. */
  frontchannel_logout_session_required?: false;
  grant_types: GrantType[];
  response_types: string[];
  token_endpoint_auth_method: AuthMethod;
  /** client_secret_jwt and private_key_jwt: the one algorithm its assertions must use (absent: any that fits). */
  token_endpoint_auth_signing_alg?: ClientAuthSigningAlg;
  /** private_key_jwt, encrypted responses: its public keys (or jwks_uri, never both). */
  jwks?: JsonWebKeySet;
  /** private_key_jwt, encrypted responses: where its public keys are published. */
  jwks_uri?: string;
  /** Absent when the client asks for no scopes (oidc-provider refuses an empty string). */
  scope?: string;
  /** Absent: the provider's clientDefaults apply (the first enabled algorithm). */
  id_token_signed_response_alg?: string;
  /** ID tokens (and logout tokens) signed, then encrypted to the client's key (encryptedResponses). */
  id_token_encrypted_response_alg?: ClientEncryptionAlg;
  id_token_encrypted_response_enc?: ClientEncryptionEnc;
  /** Userinfo as a signed JWT; always set with userinfo_encrypted_response_alg. */
  userinfo_signed_response_alg?: string;
  userinfo_encrypted_response_alg?: ClientEncryptionAlg;
  userinfo_encrypted_response_enc?: ClientEncryptionEnc;
  /**
   * Sesame's own field: a confidential client that may leave PKCE out (its library sends none).
   * Absent: PKCE is required, as it always is for public clients. See `requiresPkce`.
   */
  require_pkce?: false;
  /**
   * Sesame's own field: a confidential client whose refresh tokens rotate (a new one on every
   * refresh). Absent: they do not (its refreshes are authenticated); public clients always rotate,
   * so it is never stored for them. See `rotatesRefreshTokens`.
   */
  rotate_refresh_tokens?: true;
  /**
   * Sesame's own field: every sign-in to this client ends with MFA (mfa-policy.ts). Absent means false.
   */
  require_mfa?: true;
  /**
   * Sesame's own field, not oidc-provider metadata: the resource indicators this client may ask
   * access tokens for. Such tokens are RFC 9068 JWTs with `aud` set to the resource.
   */
  resources?: string[];
  /**
   * Sesame's own field: an API (resource server) that may introspect any token. Without it a
   * client's introspection only answers for tokens issued to that client. Absent means false.
   */
  resource_server?: true;
  /**
   * Sesame's own field: the groups whose members may use this client (src/domain/groups/access.ts).
   * Absent: everyone. Only an administrator sets it; the provider never sees it.
   */
  allowed_groups?: string[];
  /** Sesame's own field: the claims this app gets beyond the standard ones (claims/extra-claims.ts). */
  extra_claims?: ExtraClaims;
  /** Sesame's own field: the person's groups this app sees, with the groups scope (claims/groups-claim.ts). */
  groups_claim?: GroupsClaim;
}

/** The client authentication methods that use the client's secret: it is issued, sealed at rest, and rotated. */
const SECRET_METHODS: ReadonlySet<AuthMethod> = new Set(['client_secret_basic', 'client_secret_post', 'client_secret_jwt']);

/** Whether a client with this authentication method has a secret (issued by Sesame, shown once). */
export const usesSecret = (method: AuthMethod): boolean => SECRET_METHODS.has(method);

/**
 * What a client proves itself with: a secret (basic, post, client_secret_jwt: one can switch among
 * them and keep the secret), its own keys (private_key_jwt), or nothing (none: public).
 */
export function credentialOf(method: AuthMethod): 'secret' | 'keys' | 'nothing' {
  return usesSecret(method) ? 'secret' : method === 'private_key_jwt' ? 'keys' : 'nothing';
}

/**
 * Whether a client's refresh tokens rotate: always for a public client (RFC 9700 §4.14.2: a
 * token that leaks can be used by anyone, and rotation reveals the copy), for a confidential one
 * only when registered with `rotate_refresh_tokens` (its refreshes need its secret anyway).
 */
export function rotatesRefreshTokens(metadata: Pick<StoredMetadata, 'token_endpoint_auth_method' | 'rotate_refresh_tokens'>): boolean {
  return metadata.token_endpoint_auth_method === 'none' || metadata.rotate_refresh_tokens === true;
}

/**
 * Whether a client's authorization requests must use PKCE: always for a public client (nothing
 * else binds the code to it), for a confidential one unless an administrator turned it off.
 */
export function requiresPkce(metadata: Pick<StoredMetadata, 'token_endpoint_auth_method' | 'require_pkce'>): boolean {
  return metadata.token_endpoint_auth_method === 'none' || metadata.require_pkce !== false;
}

/**
 * The logout session settings as they apply: present only with their logout URI, and on unless an
 * administrator or the app turned them off (then the session id, `sid`, is left out).
 */
export function logoutSessions(
  metadata: Pick<
    StoredMetadata,
    'backchannel_logout_uri' | 'backchannel_logout_session_required' | 'frontchannel_logout_uri' | 'frontchannel_logout_session_required'
  >,
): { backchannel_logout_session_required?: boolean; frontchannel_logout_session_required?: boolean } {
  return {
    ...(metadata.backchannel_logout_uri !== undefined ? { backchannel_logout_session_required: metadata.backchannel_logout_session_required !== false } : {}),
    ...(metadata.frontchannel_logout_uri !== undefined
      ? { frontchannel_logout_session_required: metadata.frontchannel_logout_session_required !== false }
      : {}),
  };
}

/** Scopes that belong to OpenID Connect itself (and Sesame's `groups`: the groups claim); every other scope is an API's. */
export const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'address', 'phone', 'offline_access', 'groups']);

/** Sesame's own scope for its admin API (/admin/api/v1): a client must be registered with it. */
export const ADMIN_SCOPE = 'admin';

/**
 * The scopes oidc-provider itself handles (its `scopes` option): OpenID Connect's plus Sesame's
 * own `admin`. Every other scope of a client is an API's and reaches the provider per resource.
 */
export const PROVIDER_SCOPES: ReadonlySet<string> = new Set([...OIDC_SCOPES, ADMIN_SCOPE]);

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

type UriKind = 'redirect URI' | 'post-logout redirect URI' | 'back-channel logout URI' | 'front-channel logout URI' | 'resource' | 'JWKS URI';

/**
 * Exact, absolute URIs only: https, http on loopback (for development), or a private-use scheme
 * like com.example.app:/callback for native public clients (RFC 8252). Never fragments or wildcards.
 */
function checkUri(uri: string, kind: UriKind, field: string, allowCustomScheme: boolean): 'https' | 'loopback' | 'custom' {
  // The URL parser would quietly percent-encode them, but the URI is stored as given.
  if (!isPlainText(uri)) throw new ValidationError(`${kind} ${NOT_PLAIN_TEXT}`, field);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ValidationError(`${kind} "${uri}" is not an absolute URI`, field);
  }
  if (url.hash || uri.includes('#')) throw new ValidationError(`${kind} "${uri}" must not contain a fragment (#)`, field);
  if (uri.includes('*')) throw new ValidationError(`${kind} "${uri}" must not contain a wildcard (*)`, field);
  if (url.username || url.password) throw new ValidationError(`${kind} "${uri}" must not contain credentials`, field);
  if (url.protocol === 'https:') return 'https';
  if (url.protocol === 'http:') {
    if (LOOPBACK.has(url.hostname)) return 'loopback';
    throw new ValidationError(`${kind} "${uri}" must use https (http is allowed only for localhost)`, field);
  }
  if (allowCustomScheme && /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol)) return 'custom';
  throw new ValidationError(
    allowCustomScheme
      ? `${kind} "${uri}" must use https, http on localhost, or a reverse-domain scheme like com.example.app:/callback`
      : `${kind} "${uri}" must use https (http is allowed only for localhost)`,
    field,
  );
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

export interface BuildOptions {
  /** Sesame's own console client, the one registration the reserved name and origin belong to. */
  console?: boolean;
}

/**
 * The metadata Sesame stores for a registration, or a ValidationError naming the field. Checks the
 * fields' types first (schema.ts), then how they fit together.
 */
export function buildClientMetadata(registration: ClientRegistration, policy: ClientPolicy, options: BuildOptions = {}): ClientMetadata {
  const input = parseClientRegistration(registration);
  const name = input.client_name.trim();
  if (!name) throw new ValidationError('client_name is required', 'client_name');

  const isPublic = input.token_endpoint_auth_method === 'none';
  const grantTypes = unique(input.grant_types?.length ? input.grant_types : ['authorization_code', 'refresh_token']);
  for (const grant of grantTypes) {
    if (!(GRANT_TYPES as readonly string[]).includes(grant)) throw new ValidationError(unsupportedGrantMessage(grant), 'grant_types');
  }
  const usesCode = grantTypes.includes('authorization_code');
  if (grantTypes.includes('refresh_token') && !usesCode) {
    throw new ValidationError('grant type refresh_token needs authorization_code too', 'grant_types');
  }
  if (isPublic && grantTypes.includes('client_credentials')) {
    throw new ValidationError('a public client cannot use client_credentials: it has no secret to authenticate with', 'grant_types');
  }
  if (input.response_types !== undefined && usesCode !== input.response_types.includes('code')) {
    throw new ValidationError(
      usesCode ? 'response_types must include code for the authorization_code grant' : 'response type code needs the authorization_code grant',
      'response_types',
    );
  }

  const redirectUris = unique(input.redirect_uris ?? []);
  if (usesCode && redirectUris.length === 0) {
    throw new ValidationError('at least one redirect URI is required for the authorization_code grant', 'redirect_uris');
  }
  if (!usesCode && redirectUris.length > 0) {
    throw new ValidationError('redirect URIs are only used with the authorization_code grant', 'redirect_uris');
  }
  const kinds = redirectUris.map((uri) => checkUri(uri, 'redirect URI', 'redirect_uris', isPublic));
  const applicationType = kinds.includes('custom') ? 'native' : 'web';
  // What a registrant asked for must be what Sesame derives, or it would be stored as something else.
  if (input.application_type !== undefined && input.application_type !== applicationType) {
    throw new ValidationError(
      `application_type "${input.application_type}" does not match the redirect URIs, which make this a ${applicationType} client`,
      'application_type',
    );
  }
  const postLogout = unique(input.post_logout_redirect_uris ?? []);
  postLogout.forEach((uri) => checkUri(uri, 'post-logout redirect URI', 'post_logout_redirect_uris', isPublic));
  const backchannelLogoutUri = input.backchannel_logout_uri || undefined;
  if (backchannelLogoutUri !== undefined) checkUri(backchannelLogoutUri, 'back-channel logout URI', 'backchannel_logout_uri', false);
  const frontchannelLogoutUri = input.frontchannel_logout_uri || undefined;
  if (frontchannelLogoutUri !== undefined) {
    checkUri(frontchannelLogoutUri, 'front-channel logout URI', 'frontchannel_logout_uri', false);
    // Front-Channel Logout 1.0 §2: the same scheme, host and port as a redirect URI. Sesame's
    // signed-out page frames it, so it must be the app's own page, nobody else's.
    const origin = new URL(frontchannelLogoutUri).origin;
    if (!redirectUris.some((uri) => URL.canParse(uri) && new URL(uri).origin === origin)) {
      throw new ValidationError(
        `front-channel logout URI "${frontchannelLogoutUri}" must be on the origin (scheme, host and port) of one of the redirect URIs`,
        'frontchannel_logout_uri',
      );
    }
  }
  // Without their URI the session settings mean nothing and are not kept; with it, only "off" is.
  const backchannelSessionOff = backchannelLogoutUri !== undefined && input.backchannel_logout_session_required === false;
  const frontchannelSessionOff = frontchannelLogoutUri !== undefined && input.frontchannel_logout_session_required === false;

  const defaultScope = grantTypes.includes('refresh_token') ? 'openid profile email offline_access' : usesCode ? 'openid profile email' : '';
  const scope = unique((input.scope ?? defaultScope).split(/\s+/).filter(Boolean));
  for (const token of scope) {
    if (!SCOPE_TOKEN.test(token)) throw new ValidationError(`scope "${token}" contains characters a scope cannot have`, 'scope');
  }

  const resources = unique(input.resources ?? []);
  resources.forEach((uri) => checkUri(uri, 'resource', 'resources', false));
  if (resources.length > 0 && !usesCode && !grantTypes.includes('client_credentials')) {
    throw new ValidationError('resources need a grant that issues access tokens', 'resources');
  }

  const resourceServer = input.resource_server ?? false;
  if (resourceServer && isPublic) {
    throw new ValidationError(
      'a public client cannot be a resource server: it has no secret to authenticate to the introspection endpoint with',
      'resource_server',
    );
  }

  if (input.allowed_groups?.length && !usesCode) {
    throw new ValidationError(
      'allowed_groups needs the authorization_code grant: they say which people may sign in, and a client without it has none',
      'allowed_groups',
    );
  }

  if (isPublic && input.require_pkce === false) {
    throw new ValidationError(
      'require_pkce cannot be false for a public client: PKCE is what binds its authorization code to it (it has no secret)',
      'require_pkce',
    );
  }
  const pkceOptional = !isPublic && input.require_pkce === false;
  if (isPublic && input.rotate_refresh_tokens === false) {
    throw new ValidationError(
      "rotate_refresh_tokens cannot be false for a public client: a public client's refresh tokens always rotate (it has no secret to bind them to)",
      'rotate_refresh_tokens',
    );
  }
  const rotateRefreshTokens = !isPublic && input.rotate_refresh_tokens === true;

  if (!options.console) {
    checkNotReserved({ name, redirectUris, postLogoutRedirectUris: postLogout, backchannelLogoutUri }, policy.issuer);
  }

  const authMethod = input.token_endpoint_auth_method ?? 'client_secret_basic';
  const encrypted = encryptedResponses(input, policy);
  const keys = clientKeys(authMethod, input, encrypted);

  const idTokenAlg = input.id_token_signed_response_alg || undefined;
  if (idTokenAlg !== undefined && !policy.signingAlgs.includes(idTokenAlg)) {
    throw new ValidationError(
      `id_token_signed_response_alg "${idTokenAlg}" is not enabled; SIGNING_ALGS has ${policy.signingAlgs.join(', ')}`,
      'id_token_signed_response_alg',
    );
  }

  return {
    client_name: name,
    application_type: applicationType,
    redirect_uris: redirectUris,
    post_logout_redirect_uris: postLogout,
    ...(backchannelLogoutUri !== undefined ? { backchannel_logout_uri: backchannelLogoutUri } : {}),
    ...(backchannelSessionOff ? { backchannel_logout_session_required: false as const } : {}),
    ...(frontchannelLogoutUri !== undefined ? { frontchannel_logout_uri: frontchannelLogoutUri } : {}),
    ...(frontchannelSessionOff ? { frontchannel_logout_session_required: false as const } : {}),
    grant_types: grantTypes as GrantType[],
    response_types: usesCode ? ['code'] : [],
    token_endpoint_auth_method: authMethod,
    ...keys,
    ...(scope.length > 0 ? { scope: scope.join(' ') } : {}),
    ...(idTokenAlg !== undefined ? { id_token_signed_response_alg: idTokenAlg } : {}),
    ...encrypted,
    ...Object.fromEntries(PLAIN_FIELDS.filter((f) => input[f] !== undefined && input[f] !== '').map((f) => [f, input[f]])),
    ...(pkceOptional ? { require_pkce: false as const } : {}),
    ...(rotateRefreshTokens ? { rotate_refresh_tokens: true as const } : {}),
    ...(input.require_mfa === true ? { require_mfa: true as const } : {}),
    ...(resources.length > 0 ? { resources } : {}),
    ...(resourceServer ? { resource_server: true as const } : {}),
    ...(input.allowed_groups?.length ? { allowed_groups: unique(input.allowed_groups) } : {}),
    ...extraClaimsOf(input),
    ...groupsClaimOf(input),
  };
}

type EncryptedResponses = Pick<
  StoredMetadata,
  | 'id_token_encrypted_response_alg'
  | 'id_token_encrypted_response_enc'
  | 'userinfo_signed_response_alg'
  | 'userinfo_encrypted_response_alg'
  | 'userinfo_encrypted_response_enc'
>;

/**
 * The encrypted responses a client asks for: an `_enc` only with its `_alg`, a userinfo signing
 * algorithm from SIGNING_ALGS (the first when encryption is asked for without one: encrypted
 * userinfo is a signed JWT). The keys they need are clientKeys' to check.
 */
function encryptedResponses(input: ClientRegistration, policy: ClientPolicy): EncryptedResponses {
  for (const what of ['id_token', 'userinfo'] as const) {
    if (input[`${what}_encrypted_response_enc`] !== undefined && input[`${what}_encrypted_response_alg`] === undefined) {
      throw new ValidationError(`${what}_encrypted_response_enc needs ${what}_encrypted_response_alg`, `${what}_encrypted_response_enc`);
    }
  }
  const userinfoAlg = input.userinfo_signed_response_alg || (input.userinfo_encrypted_response_alg ? policy.signingAlgs[0] : undefined);
  if (userinfoAlg !== undefined && !policy.signingAlgs.includes(userinfoAlg)) {
    throw new ValidationError(
      `userinfo_signed_response_alg "${userinfoAlg}" is not enabled; SIGNING_ALGS has ${policy.signingAlgs.join(', ')}`,
      'userinfo_signed_response_alg',
    );
  }
  const fields = [
    'id_token_encrypted_response_alg',
    'id_token_encrypted_response_enc',
    'userinfo_encrypted_response_alg',
    'userinfo_encrypted_response_enc',
  ] as const;
  return {
    ...Object.fromEntries(fields.filter((f) => input[f] !== undefined).map((f) => [f, input[f]])),
    ...(userinfoAlg !== undefined ? { userinfo_signed_response_alg: userinfoAlg } : {}),
  };
}

/**
 * The signing algorithm and keys that go with a client's authentication method and encrypted
 * responses, checked: keys (jwks or jwks_uri, exactly one) for private_key_jwt and for encrypted
 * responses, and nothing else; an algorithm only for the two JWT methods and of the right kind
 * (HMAC for client_secret_jwt, a public-key one otherwise).
 */
function clientKeys(
  method: AuthMethod,
  input: ClientRegistration,
  encrypted: EncryptedResponses,
): Pick<StoredMetadata, 'token_endpoint_auth_signing_alg' | 'jwks' | 'jwks_uri'> {
  const jwksUri = input.jwks_uri || undefined;
  const { jwks } = input;
  const encryption = (['id_token_encrypted_response_alg', 'userinfo_encrypted_response_alg'] as const).flatMap((field) =>
    encrypted[field] !== undefined ? [{ field, alg: encrypted[field] }] : [],
  );
  if (method !== 'private_key_jwt' && encryption.length > 0) {
    const authAlg = clientAuthentication(method, { ...input, jwks: undefined, jwks_uri: undefined });
    if (jwks !== undefined && jwksUri !== undefined) {
      throw new ValidationError('a client registers either jwks or jwks_uri, not both', 'jwks_uri');
    }
    if (jwks === undefined && jwksUri === undefined) {
      throw new ValidationError(`${encryption[0]!.field} needs the client's public encryption key: register jwks or jwks_uri`, encryption[0]!.field);
    }
    if (jwks !== undefined) checkClientKeys(jwks, undefined, { signing: false, encryption: true }, encryption);
    if (jwksUri !== undefined) checkUri(jwksUri, 'JWKS URI', 'jwks_uri', false);
    return { ...authAlg, ...(jwks !== undefined ? { jwks: { keys: jwks.keys } } : {}), ...(jwksUri !== undefined ? { jwks_uri: jwksUri } : {}) };
  }
  return clientAuthentication(method, input, encryption);
}

function clientAuthentication(
  method: AuthMethod,
  input: ClientRegistration,
  encryption: { field: string; alg: string }[] = [],
): Pick<StoredMetadata, 'token_endpoint_auth_signing_alg' | 'jwks' | 'jwks_uri'> {
  const alg = input.token_endpoint_auth_signing_alg;
  const jwksUri = input.jwks_uri || undefined;
  const { jwks } = input;
  if (alg !== undefined) {
    if (method !== 'client_secret_jwt' && method !== 'private_key_jwt') {
      throw new ValidationError(
        `token_endpoint_auth_signing_alg is only for the client_secret_jwt and private_key_jwt methods; this client uses ${method}`,
        'token_endpoint_auth_signing_alg',
      );
    }
    const hmac = (SECRET_JWT_ALGS as readonly ClientAuthSigningAlg[]).includes(alg);
    if (method === 'client_secret_jwt' && !hmac) {
      throw new ValidationError(
        `token_endpoint_auth_signing_alg "${alg}" needs a private key; client_secret_jwt signs with the secret: use ${SECRET_JWT_ALGS.join(', ')}`,
        'token_endpoint_auth_signing_alg',
      );
    }
    if (method === 'private_key_jwt' && hmac) {
      throw new ValidationError(
        `token_endpoint_auth_signing_alg "${alg}" signs with a shared secret, which a private_key_jwt client does not have; use client_secret_jwt for that`,
        'token_endpoint_auth_signing_alg',
      );
    }
  }
  if (method !== 'private_key_jwt') {
    const forWhom = 'private_key_jwt clients and clients with encrypted responses (id_token_encrypted_response_alg, userinfo_encrypted_response_alg)';
    if (jwks !== undefined) throw new ValidationError(`jwks is only for ${forWhom}; this client uses ${method}`, 'jwks');
    if (jwksUri !== undefined) throw new ValidationError(`jwks_uri is only for ${forWhom}; this client uses ${method}`, 'jwks_uri');
    return alg !== undefined ? { token_endpoint_auth_signing_alg: alg } : {};
  }
  if (jwks !== undefined && jwksUri !== undefined) {
    throw new ValidationError('a private_key_jwt client registers either jwks or jwks_uri, not both', 'jwks_uri');
  }
  if (jwks === undefined && jwksUri === undefined) {
    throw new ValidationError('a private_key_jwt client needs its public keys: register jwks or jwks_uri', 'jwks');
  }
  if (jwks !== undefined) checkClientKeys(jwks, alg, { signing: true, encryption: encryption.length > 0 }, encryption);
  if (jwksUri !== undefined) checkUri(jwksUri, 'JWKS URI', 'jwks_uri', false);
  return {
    ...(alg !== undefined ? { token_endpoint_auth_signing_alg: alg } : {}),
    ...(jwks !== undefined ? { jwks: { keys: jwks.keys } } : {}),
    ...(jwksUri !== undefined ? { jwks_uri: jwksUri } : {}),
  };
}

function groupsClaimOf(input: ClientRegistration): Pick<StoredMetadata, 'groups_claim'> {
  const claim = normalizeGroupsClaim(input.groups_claim);
  checkGroupsClaimAgainst(claim, Object.keys(input.extra_claims ?? {}));
  return claim ? { groups_claim: claim } : {};
}

function extraClaimsOf(input: ClientRegistration): Pick<StoredMetadata, 'extra_claims'> {
  const claims = normalizeExtraClaims(input.extra_claims as ExtraClaims | undefined);
  return claims ? { extra_claims: claims } : {};
}
