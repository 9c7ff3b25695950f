// Client metadata, written once: every field a client is registered with, in the names of RFC 7591
// and OpenID Connect Dynamic Client Registration (Sesame's own come last), with what each
// accepts and what it says when a value is wrong. The admin API takes and returns exactly these
// fields (its OpenAPI document describes them from here), dynamic registration takes them, the
// CLI derives its flags from them and the console's form posts them. The rules that relate fields
// to one another (a public client has no client_credentials, redirect URIs need the code grant,
// ...) are in client-metadata.ts. A new field goes here, and into the console's form and whatever
// page shows it; nothing else has to change.
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { isPlainText, NOT_PLAIN_TEXT } from '../text.js';

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

/** How a client authenticates at the token endpoint: with its secret, or not at all (public, PKCE). */
export const AUTH_METHODS = ['client_secret_basic', 'none'] as const;

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
      error: (issue) =>
        `token_endpoint_auth_method "${String(issue.input)}" is not supported; use client_secret_basic (confidential) or none (public, with PKCE)`,
    })
    .describe('client_secret_basic (confidential, the default: a secret is issued) or none (public: browser or native app; PKCE protects the code)'),
  scope: text(1000).describe('space-separated scopes it may ask for; `admin` lets it call the admin API (only clients registered with it ever get it)'),
  id_token_signed_response_alg: text(20).describe('one of SIGNING_ALGS (default: the first)'),
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
  resources: uris.describe('Sesame: APIs (RFC 8707 resource indicators) it may get JWT access tokens for'),
  resource_server: z
    .boolean()
    .describe('Sesame: an API that may introspect tokens issued to other clients (confidential clients only); otherwise a client introspects only its own'),
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
export const ADMINISTERED_FIELDS: readonly ClientField[] = ['resources', 'resource_server'];

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
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    return new ValidationError(`client metadata "${key}" is not supported by this provider; it accepts ${CLIENT_FIELD_NAMES.join(', ')}`, key);
  }
  const field = String(issue.path[0] ?? 'client');
  if (issue.code === 'invalid_type') {
    const what = issue.path.length > 1 ? `${field} must hold ${issue.expected}s only` : `${field} must be ${article(issue.expected)}`;
    return new ValidationError(what, field);
  }
  // Our messages name what is wrong; the few that start with "must" get the field in front.
  return new ValidationError(issue.message.startsWith('must') ? `${field} ${issue.message}` : issue.message, field);
}

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw describeIssue(result.error.issues[0]!);
  return result.data;
}

/** Checks the fields' types and formats (not how they relate: buildClientMetadata does that). */
export const parseClientRegistration = (value: unknown): ClientRegistration => parse(ClientRegistrationSchema, value);
export const parseClientChanges = (value: unknown): ClientChanges => parse(ClientChangesSchema, value);
