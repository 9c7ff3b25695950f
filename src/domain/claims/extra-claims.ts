// Per-client extra claims: what one app receives beyond the standard claims, each either a fixed
// JSON value or one of the person's attributes (attributes.ts). Stored in the client's metadata
// as `extra_claims`, set only by an administrator (CLI, admin API, console; never /reg), and
// released with `openid`: in every ID token and userinfo response of that client, and in the JWT
// access tokens (RFC 9068, for a resource) issued to it for a person. A person without the
// attribute gets no claim at all (never null).
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { isPlainText } from '../text.js';
import { ATTRIBUTE_KEY, type Attributes } from './attributes.js';

export type ExtraClaim = { value: unknown } | { attribute: string };
export type ExtraClaims = Record<string, ExtraClaim>;

export const MAX_EXTRA_CLAIMS = 20;
const MAX_VALUE_BYTES = 4096;
/** A claim name: a letter, then letters, digits and _ . : / - (namespaced names like https://example.com/roles fit). */
export const CLAIM_NAME = /^[A-Za-z_][A-Za-z0-9_.:/-]{0,99}$/;

/**
 * Claims an app may not be given under another meaning: the JWT and OpenID Connect protocol
 * claims, the ones Sesame issues itself (sub, email, email_verified, name, acr, amr, sid), the
 * rest of OpenID Connect's standard claims (a library would read them as such), and the access
 * token's own (client_id, scope, cnf, RFC 8693's act).
 */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  // JWT and OpenID Connect Core
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'nonce',
  'azp',
  'auth_time',
  'acr',
  'amr',
  'at_hash',
  'c_hash',
  's_hash',
  'sid',
  'typ',
  'events',
  'sub_jwk',
  '_claim_names',
  '_claim_sources',
  // Access tokens (RFC 9068, RFC 8693, RFC 7800)
  'client_id',
  'scope',
  'cnf',
  'act',
  'may_act',
  // OpenID Connect's standard claims (Sesame issues email, email_verified and name)
  'email',
  'email_verified',
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
  'phone_number_verified',
  'address',
  'updated_at',
]);

/** Why `name` cannot be an extra claim's name, or undefined when it can. */
export function claimNameRefusal(name: string): string | undefined {
  if (!CLAIM_NAME.test(name)) {
    const shown = isPlainText(name) && name.length <= 100 ? `"${name}"` : '(not printable)';
    return `extra_claims: claim name ${shown} is not valid: start with a letter or _, then letters, digits, _ . : / - (at most 100)`;
  }
  if (RESERVED_CLAIMS.has(name)) {
    return `extra_claims: claim "${name}" is reserved (Sesame or the protocol sets it); choose another name, such as app_${name.replace(/[^a-z0-9_]/gi, '_')}`;
  }
  return undefined;
}

const ONE_CLAIM = 'extra_claims: each claim is {"value": <JSON>} (fixed) or {"attribute": "<attribute name>"} (from the person)';

// One object with either member, checked by hand: a zod union would answer a wrong member with
// whichever option's message it picks, and z.json's recursive JSON Schema is one the admin API's
// OpenAPI document cannot reference. Every channel hands over parsed JSON already.
const oneClaim = z
  .strictObject(
    {
      value: z.unknown().describe('a fixed value: any JSON but null'),
      attribute: z
        .string()
        .regex(ATTRIBUTE_KEY, 'extra_claims: an attribute name is a lower-case letter, then up to 63 lower-case letters, digits or _')
        .describe("the person's attribute of this name"),
    },
    { error: ONE_CLAIM },
  )
  .partial()
  .superRefine((claim, ctx) => {
    const hasValue = claim.value !== undefined;
    if (hasValue === (claim.attribute !== undefined)) ctx.addIssue({ code: 'custom', message: ONE_CLAIM });
    else if (claim.value === null) ctx.addIssue({ code: 'custom', message: 'extra_claims: a fixed value cannot be null (leave the claim out instead)' });
    else if (hasValue && Buffer.byteLength(JSON.stringify(claim.value)) > MAX_VALUE_BYTES) {
      ctx.addIssue({ code: 'custom', message: `extra_claims: a fixed value may take at most ${MAX_VALUE_BYTES} bytes as JSON` });
    }
  });

/** The `extra_claims` client field (schema.ts): claim name → {"value": JSON} or {"attribute": "key"}. */
export const EXTRA_CLAIMS_FIELD = z
  .record(z.string(), oneClaim)
  .superRefine((claims, ctx) => {
    // Names are checked here rather than as the record's key schema, whose failure zod reports without our message.
    const refusal = Object.keys(claims).map(claimNameRefusal).find(Boolean);
    if (refusal) ctx.addIssue({ code: 'custom', message: refusal });
  })
  .refine((claims) => Object.keys(claims).length <= MAX_EXTRA_CLAIMS, `extra_claims may name at most ${MAX_EXTRA_CLAIMS} claims`)
  .describe(
    'Sesame: claims this app receives in its ID tokens, userinfo and JWT access tokens (with openid): {"role": {"attribute": "grafana_role"}} takes the person\'s attribute (absent when they have none), {"policy": {"value": "readwrite"}} a fixed JSON value. Reserved names (sub, iss, aud, email, name, ...) are refused',
  );

/** Sorted by name, so that the same claims are stored (and compared) as the same text. */
export function normalizeExtraClaims(claims: ExtraClaims | undefined): ExtraClaims | undefined {
  if (!claims || Object.keys(claims).length === 0) return undefined;
  return Object.fromEntries(Object.entries(claims).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The claims a person gets from a client's extra_claims: fixed values, and the attributes they have. */
export function resolveExtraClaims(claims: ExtraClaims | undefined, attributes: Attributes): Record<string, unknown> {
  const resolved: Record<string, unknown> = {};
  for (const [name, claim] of Object.entries(claims ?? {})) {
    if ('value' in claim) resolved[name] = claim.value;
    else if (Object.hasOwn(attributes, claim.attribute)) resolved[name] = attributes[claim.attribute];
  }
  return resolved;
}

/**
 * One `--claim` as typed on a command line: `NAME=text` a fixed text, `NAME:=JSON` a fixed JSON
 * value, `NAME=@attribute` the person's attribute. Checked by the field's schema afterwards.
 */
export function parseClaimAssignment(text: string): [string, ExtraClaim] | undefined {
  const json = /^([^=]+?):=(.*)$/s.exec(text);
  if (json) {
    try {
      return [json[1]!.trim(), { value: JSON.parse(json[2]!) as unknown }];
    } catch {
      return undefined;
    }
  }
  const plain = /^([^=]+)=(.*)$/s.exec(text);
  if (!plain) return undefined;
  const [, name, value] = plain;
  return [name!.trim(), value!.startsWith('@') ? { attribute: value!.slice(1) } : { value: value! }];
}

/** Each claim as --claim (and the console's form) writes it: role=@grafana_role, level:=3, policy:="readwrite". */
export function claimLines(claims: ExtraClaims | undefined): string[] {
  return Object.entries(claims ?? {}).map(([name, claim]) =>
    'attribute' in claim ? `${name}=@${claim.attribute}` : `${name}:=${JSON.stringify(claim.value)}`,
  );
}

/** The console's form: one claim a line (claimLines' syntax, or NAME=TEXT); empty lines skipped; undefined when none. */
export function parseClaimLines(text: string, field = 'extra_claims'): Record<string, ExtraClaim> | undefined {
  const claims: Record<string, ExtraClaim> = {};
  for (const line of text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)) {
    const parsed = parseClaimAssignment(line);
    if (!parsed)
      throw new ValidationError(`extra_claims: "${isPlainText(line) ? line : '(not printable)'}" is not NAME=@ATTRIBUTE, NAME=TEXT or NAME:=JSON`, field);
    claims[parsed[0]] = parsed[1];
  }
  return Object.keys(claims).length > 0 ? claims : undefined;
}
