// Client metadata, written once: every field a client is registered with, in the names of RFC 7591
// and OpenID Connect Dynamic Client Registration (Sesame's own come last), with what each
// accepts and what it says when a value is wrong. The admin API takes and returns exactly these
// fields (its OpenAPI document describes them from here), dynamic registration takes them, the
// CLI derives its flags from them and the console's form posts them. The rules that relate fields
// to one another (a public client has no client_credentials, redirect URIs need the code grant,
// ...) are in client-metadata.ts. A new field goes here, and into the console's form and whatever
// page shows it; nothing else has to change.
import { z } from 'zod';
import { EXTRA_CLAIMS_FIELD } from '../claims/extra-claims.js';
import { GROUPS_CLAIM_FIELD } from '../claims/groups-claim.js';
import { ValidationError } from '../errors.js';
import { isPlainText, NOT_PLAIN_TEXT } from '../text.js';
import { GROUP_NAME_RULE, isGroupName } from '../groups/group-name.js';

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

/**
 * How a client authenticates at the token, introspection and revocation endpoints: with its secret
 * (in the Authorization header, in the form body, or as the key of an HMAC-signed JWT), with a JWT
 * signed by its own private key (its public keys registered as `jwks` or `jwks_uri`), or not at
 * all (public, PKCE). Discovery lists exactly these.
 */
export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/**
 * The algorithms a client_secret_jwt client may sign its assertions with (its secret is the key).
 * HS256 only: a client secret is 256 random bits, and RFC 7518 §3.2 wants an HMAC key at least as
 * long as the hash (HS384 and HS512 would need longer secrets).
 */
export const SECRET_JWT_ALGS = ['HS256'] as const;
/** The algorithms a private_key_jwt client may sign its assertions with. */
export const PRIVATE_KEY_JWT_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'Ed25519', 'EdDSA'] as const;
/** Every client assertion algorithm the provider accepts (discovery's token_endpoint_auth_signing_alg_values_supported). */
export const CLIENT_AUTH_SIGNING_ALGS = [...SECRET_JWT_ALGS, ...PRIVATE_KEY_JWT_ALGS] as const;
export type ClientAuthSigningAlg = (typeof CLIENT_AUTH_SIGNING_ALGS)[number];

/**
 * The key-management algorithms a client may ask its ID tokens and userinfo to be encrypted with,
 * to a public key of its own (jwks or jwks_uri). Only public-key ones: the symmetric ones (A128KW,
 * dir, ...) would encrypt with the client secret, which public clients and private_key_jwt clients
 * do not have.
 */
export const CLIENT_ENCRYPTION_ALGS = ['RSA-OAEP-256', 'RSA-OAEP', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW'] as const;
export type ClientEncryptionAlg = (typeof CLIENT_ENCRYPTION_ALGS)[number];
/** The content-encryption algorithms (`enc`) for those; A128CBC-HS256 when not named (OpenID Connect Registration). */
export const CLIENT_ENCRYPTION_ENCS = ['A128CBC-HS256', 'A256CBC-HS512', 'A128GCM', 'A256GCM'] as const;
export type ClientEncryptionEnc = (typeof CLIENT_ENCRYPTION_ENCS)[number];

const encryptionAlg = (field: string) =>
  z.enum(CLIENT_ENCRYPTION_ALGS, {
    error: (issue) => `${field} "${String(issue.input)}" is not supported; use ${CLIENT_ENCRYPTION_ALGS.join(', ')}`,
  });
const encryptionEnc = (field: string) =>
  z.enum(CLIENT_ENCRYPTION_ENCS, {
    error: (issue) => `${field} "${String(issue.input)}" is not supported; use ${CLIENT_ENCRYPTION_ENCS.join(', ')}`,
  });

/** The most keys a client may register, and the size of their set. */
export const MAX_CLIENT_KEYS = 10;

export function unsupportedGrantMessage(grant: string): string {
  return `grant type "${grant}" is not supported; use ${GRANT_TYPES.join(', ')}`;
}

/** An absolute https URL (or http on localhost, for development): a page the consent page links to. */
function isWebPage(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname));
  } catch {
    return false;
  }
}
const isHttps = (value: string) => URL.canParse(value) && new URL(value).protocol === 'https:';

const text = (max: number) => z.string().max(max, `must be at most ${max} characters`).refine(isPlainText, NOT_PLAIN_TEXT);
const uri = text(2000);
const uris = z.array(uri).max(20, 'may list at most 20 URIs');

/** Every field, with its OpenAPI description. */
export const CLIENT_FIELDS = {
  client_name: text(100).describe('shown on the consent page'),
  redirect_uris: uris.describe('exact callback URIs: https, http only on localhost, or com.example.app:/callback for public native apps'),
  post_logout_redirect_uris: uris.describe('where RP-initiated logout may send the browser back to'),
  backchannel_logout_uri: uri.describe('https endpoint that receives back-channel logout tokens'),
  backchannel_logout_session_required: z
    .boolean()
    .describe(
      "the logout token names the ended session (sid, as in the client's ID tokens), so the app ends only that one. On by default whenever backchannel_logout_uri is set; read back only then",
    ),
  frontchannel_logout_uri: uri.describe(
    "Front-Channel Logout 1.0: the page Sesame's signed-out page loads in an iframe when the person signs out, on the origin of one of the redirect URIs",
  ),
  frontchannel_logout_session_required: z
    .boolean()
    .describe(
      'the front-channel logout URI is loaded with iss and sid (the ID token carries sid too). On by default whenever frontchannel_logout_uri is set; read back only then',
    ),
  grant_types: z
    .array(z.enum(GRANT_TYPES, { error: (issue) => unsupportedGrantMessage(String(issue.input)) }))
    .max(3)
    .describe('default: authorization_code and refresh_token'),
  response_types: z
    .array(z.enum(['code'], { error: (issue) => `response type "${String(issue.input)}" is not supported; use code` }))
    .max(1)
    .describe('["code"] with the authorization_code grant, [] without it (derived when absent)'),
  token_endpoint_auth_method: z
    .enum(AUTH_METHODS, {
      error: (issue) => `token_endpoint_auth_method "${String(issue.input)}" is not supported; use ${AUTH_METHODS.join(', ')}`,
    })
    .describe(
      'client_secret_basic (the default), client_secret_post or client_secret_jwt: confidential, a secret is issued; private_key_jwt: confidential, authenticates with a JWT signed by its own key (register jwks or jwks_uri), no secret; none: public (browser or native app; PKCE protects the code)',
    ),
  token_endpoint_auth_signing_alg: z
    .enum(CLIENT_AUTH_SIGNING_ALGS, {
      error: (issue) =>
        `token_endpoint_auth_signing_alg "${String(issue.input)}" is not supported; use ${SECRET_JWT_ALGS.join(', ')} (client_secret_jwt) or ${PRIVATE_KEY_JWT_ALGS.join(', ')} (private_key_jwt)`,
    })
    .describe('client_secret_jwt and private_key_jwt only: the one algorithm its assertions must be signed with (default: any that fits its secret or keys)'),
  jwks: z
    .strictObject({
      keys: z
        .array(z.record(z.string(), z.unknown()))
        .min(1, 'jwks must hold at least one key')
        .max(MAX_CLIENT_KEYS, `jwks may hold at most ${MAX_CLIENT_KEYS} keys`),
    })
    .describe(
      'its public keys as a JSON Web Key Set ({"keys": [...]}: RSA of 2048 bits or more, EC P-256/384/521, Ed25519 or X25519; never private members such as d): signing keys for private_key_jwt, encryption keys (use "enc") for encrypted ID tokens and userinfo',
    ),
  jwks_uri: uri.describe(
    'private_key_jwt, encrypted ID tokens or userinfo: https URL of its public JSON Web Key Set, fetched when needed (instead of jwks; lets the app rotate its keys)',
  ),
  scope: text(1000).describe('space-separated scopes it may ask for; `admin` lets it call the admin API (only clients registered with it ever get it)'),
  id_token_signed_response_alg: text(20).describe('one of SIGNING_ALGS (default: the first)'),
  id_token_encrypted_response_alg: encryptionAlg('id_token_encrypted_response_alg').describe(
    'ID tokens (and logout tokens) are signed, then encrypted to a public key of the client (register jwks or jwks_uri with a key for it)',
  ),
  id_token_encrypted_response_enc: encryptionEnc('id_token_encrypted_response_enc').describe(
    'with id_token_encrypted_response_alg: the content encryption (default A128CBC-HS256)',
  ),
  userinfo_signed_response_alg: text(20).describe(
    'one of SIGNING_ALGS: userinfo answers with a signed JWT instead of JSON (default with userinfo_encrypted_response_alg: the first)',
  ),
  userinfo_encrypted_response_alg: encryptionAlg('userinfo_encrypted_response_alg').describe(
    'userinfo answers with a signed JWT encrypted to a public key of the client (register jwks or jwks_uri with a key for it)',
  ),
  userinfo_encrypted_response_enc: encryptionEnc('userinfo_encrypted_response_enc').describe(
    'with userinfo_encrypted_response_alg: the content encryption (default A128CBC-HS256)',
  ),
  application_type: z
    .enum(['web', 'native'], { error: (issue) => `application_type "${String(issue.input)}" is not supported; use web or native` })
    .describe('derived from the redirect URIs (native: a private-use scheme); if given, it must match'),
  logo_uri: uri
    .refine(isHttps, 'must be an absolute https URL (the consent page shows it: never mixed content)')
    .describe('an https image shown next to the name on the consent page'),
  client_uri: uri.refine(isWebPage, 'must be an absolute https URL').describe("the app's home page, linked from the consent page"),
  policy_uri: uri.refine(isWebPage, 'must be an absolute https URL').describe("the app's privacy policy, linked from the consent page"),
  tos_uri: uri.refine(isWebPage, 'must be an absolute https URL').describe("the app's terms of service, linked from the consent page"),
  require_pkce: z
    .boolean()
    .describe(
      'Sesame: authorization requests must use PKCE (code_challenge, S256). On by default; an administrator may turn it off for a confidential client whose library sends no PKCE. Always on for public clients',
    ),
  rotate_refresh_tokens: z
    .boolean()
    .describe(
      'Sesame: every refresh hands out a new refresh token (reuse detection: a used one presented again after REFRESH_TOKEN_REUSE_INTERVAL is refused). Always on for public clients, where a used token presented again revokes the grant; off by default for confidential clients, which authenticate every refresh',
    ),
  require_mfa: z
    .boolean()
    .describe(
      'Sesame: every sign-in to this client ends with a second factor (multi-factor authentication). A session without one (single sign-on from another app) is asked for it first (step-up); a person without one adds an authenticator app. Off by default',
    ),
  resources: uris.describe('Sesame: APIs (RFC 8707 resource indicators) it may get JWT access tokens for'),
  resource_server: z
    .boolean()
    .describe('Sesame: an API that may introspect tokens issued to other clients (confidential clients only); otherwise a client introspects only its own'),
  allowed_groups: z
    .array(
      z.string().refine(isGroupName, {
        error: (issue) => `allowed_groups: group name ${JSON.stringify(String(issue.input).slice(0, 80))} is not valid; use ${GROUP_NAME_RULE}`,
      }),
    )
    .max(50, 'may list at most 50 groups')
    .describe(
      'Sesame: only members of at least one of these groups may sign in to it (and refresh its tokens); empty or absent: everyone. Set by an administrator only, never by dynamic registration',
    ),
  extra_claims: EXTRA_CLAIMS_FIELD,
  groups_claim: GROUPS_CLAIM_FIELD,
};

export type ClientField = keyof typeof CLIENT_FIELDS;
export const CLIENT_FIELD_NAMES = Object.keys(CLIENT_FIELDS) as ClientField[];

/**
 * Fields whose every rule is in this file: stored as given (buildClientMetadata copies them), so a
 * field added here and listed here needs no other code to be registered, stored and returned.
 */
export const PLAIN_FIELDS = ['logo_uri', 'client_uri', 'policy_uri', 'tos_uri'] as const satisfies readonly ClientField[];
export type PlainField = (typeof PLAIN_FIELDS)[number];

/** Fields only an administrator sets (CLI, admin API, console); dynamic registration may not. */
export const ADMINISTERED_FIELDS: readonly ClientField[] = ['resources', 'resource_server', 'extra_claims', 'allowed_groups', 'groups_claim'];

type Optional<T extends Record<string, z.ZodType>> = { [K in keyof T]: z.ZodOptional<T[K]> };
type Removable<T extends Record<string, z.ZodType>> = { [K in keyof T]: z.ZodOptional<z.ZodNullable<T[K]>> };

function mapFields<R extends z.ZodType>(wrap: (schema: z.ZodType) => R): Record<ClientField, R> {
  return Object.fromEntries(CLIENT_FIELD_NAMES.map((name) => [name, wrap(CLIENT_FIELDS[name])])) as Record<ClientField, R>;
}

type OptionalFields = Omit<typeof CLIENT_FIELDS, 'client_name'>;

/** A client to register: a name, and whatever else it needs. */
export const ClientRegistrationSchema = z.strictObject({
  ...(mapFields((s) => s.optional()) as unknown as Optional<OptionalFields>),
  client_name: CLIENT_FIELDS.client_name,
});
export type ClientRegistration = z.output<typeof ClientRegistrationSchema>;

/** A change to a registration: a field given replaces it, null removes it, an absent one stays. */
export const ClientChangesSchema = z.strictObject(mapFields((s) => s.nullable().optional()) as unknown as Removable<typeof CLIENT_FIELDS>);
export type ClientChanges = z.output<typeof ClientChangesSchema>;

/** One zod issue as the one-line message every channel shows, naming the field. */
function describeIssue(issue: z.core.$ZodIssue): ValidationError {
  const field = String(issue.path[0] ?? 'client');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    if (issue.path.length > 0) return new ValidationError(`${pathOf(issue.path)} does not take "${key}"`, field);
    return new ValidationError(`client metadata "${key}" is not supported by this provider; it accepts ${CLIENT_FIELD_NAMES.join(', ')}`, key);
  }
  if (issue.code === 'invalid_type') {
    const expected = issue.expected === 'record' ? 'object' : issue.expected;
    // A list of values: "redirect_uris must hold strings only"; anything deeper is named by its path.
    const listItem = issue.path.length === 2 && typeof issue.path[1] === 'number';
    const what = listItem ? `${field} must hold ${expected}s only` : `${issue.path.length > 1 ? pathOf(issue.path) : field} must be ${article(expected)}`;
    return new ValidationError(what, field);
  }
  // Our messages name what is wrong; the few that start with "must" get the field in front.
  return new ValidationError(issue.message.startsWith('must') ? `${field} ${issue.message}` : issue.message, field);
}

/** A nested field as people write it: jwks.keys[0]. */
const pathOf = (path: readonly PropertyKey[]) => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw describeIssue(result.error.issues[0]!);
  return result.data;
}

/** Checks the fields' types and formats (not how they relate: buildClientMetadata does that). */
export const parseClientRegistration = (value: unknown): ClientRegistration => parse(ClientRegistrationSchema, value);
export const parseClientChanges = (value: unknown): ClientChanges => parse(ClientChangesSchema, value);
