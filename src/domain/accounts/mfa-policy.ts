// When a sign-in must end with a second factor, and when it is only asked for. Three sources:
//
// - MFA_POLICY (config.ts): `required` for everyone, `required-for-admins` for people with
//   is_admin, `optional` (the default) for nobody. Required: a person without a second factor
//   enrols one inside the sign-in, after the password. A passkey is a second factor here: a person
//   whose only one is a passkey gives it after the password (`verify`), not an app's enrolment.
// - The client's `require_mfa` (schema.ts): every sign-in to it ends with MFA; a session that has
//   none (single sign-on from another app) gets a second-factor prompt first (step-up), or an
//   enrolment when the person has no factor yet.
// - The request: `acr_values` naming an MFA level (urn:sesame:acr:mfa, phr, phrh) and no
//   single-factor one asks for a second factor when the person has one (acr_values are voluntary,
//   OIDC Core 3.1.2.1: a person without one is signed in with what they have, and the ID token's
//   acr says so); an essential `acr` in the `claims` parameter naming only MFA levels requires it
//   (enrolment when the person has none).
//
// A session has MFA when its amr has "mfa": a password and an app's code or a recovery code, or a
// passkey (passkeys.ts). phr and phrh are given by passkeys only: an app's code never claims them,
// so a request for phr is answered with urn:sesame:acr:mfa after a TOTP step-up, and the RP that
// needs phishing resistance checks the ID token's acr (an essential phr can only be met by a
// passkey sign-in).
import { ACR } from './authentication-methods.js';

export const MFA_POLICIES = ['optional', 'required-for-admins', 'required'] as const;
export type MfaPolicy = (typeof MFA_POLICIES)[number];

/** The login prompt's reason when a signed-in session lacks the second factor its request needs (step-up). */
export const MFA_CHECK = 'mfa_required';

/**
 * The login prompt's reasons that a second factor alone answers (the session's password stands):
 * Sesame's step-up check and oidc-provider's essential acr checks. Any other reason (no session,
 * max_age, prompt=login, another subject) needs a fresh sign-in with the password.
 */
export const STEP_UP_REASONS: ReadonlySet<string> = new Set([MFA_CHECK, 'essential_acr', 'essential_acrs']);

/** The acr values that mean "more than a password". */
export const MFA_ACRS: ReadonlySet<string> = new Set([ACR.multiFactor, 'phr', 'phrh']);

/** Whether the policy requires a second factor of this person. */
export function policyRequires(policy: MfaPolicy, person: { isAdmin: boolean }): boolean {
  return policy === 'required' || (policy === 'required-for-admins' && person.isAdmin);
}

/** Whether a session (or a login result) has MFA, by its amr. */
export const hasMfa = (amr: readonly string[] | undefined): boolean => amr?.includes('mfa') === true;

/**
 * The claims parameter's id_token.acr request (a JSON string at the interaction, an object in the
 * provider), or undefined.
 */
export function acrClaimOf(claims: unknown): MfaRequest['essentialAcr'] {
  let value = claims;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  const acr = (value as { id_token?: { acr?: unknown } } | null | undefined)?.id_token?.acr;
  return typeof acr === 'object' && acr !== null ? (acr as MfaRequest['essentialAcr']) : undefined;
}

/** What an authorization request says about MFA. */
export interface MfaRequest {
  /** The client's registration has require_mfa. */
  clientRequiresMfa: boolean;
  /** The space-separated acr_values parameter. */
  acrValues?: string | undefined;
  /** The claims parameter's id_token.acr request. */
  essentialAcr?: { essential?: unknown; value?: unknown; values?: unknown } | undefined;
}

const onlyMfa = (values: readonly unknown[]): boolean => values.length > 0 && values.every((value) => typeof value === 'string' && MFA_ACRS.has(value));

/**
 * `required`: the sign-in must end with MFA (the person enrols one when they have none).
 * `requested`: a second factor is asked for when the person has one. undefined: neither.
 */
export function requestedMfa(request: MfaRequest): 'required' | 'requested' | undefined {
  if (request.clientRequiresMfa) return 'required';
  const acr = request.essentialAcr;
  if (acr && acr.essential === true) {
    const values = Array.isArray(acr.values) ? acr.values : acr.value !== undefined ? [acr.value] : [];
    if (onlyMfa(values)) return 'required';
  }
  const voluntary = (request.acrValues ?? '').split(' ').filter(Boolean);
  if (onlyMfa(voluntary)) return 'requested';
  return undefined;
}

/** A person as the decision needs them. */
export interface MfaPerson {
  isAdmin: boolean;
  /** They have a second factor to verify with after the password: an authenticator app, or a passkey. */
  hasFactor: boolean;
}

/**
 * What a sign-in needs of this person beyond the password: `verify` (their second factor), `enrol`
 * (add one, then go on), or nothing.
 */
export function mfaNeed(policy: MfaPolicy, person: MfaPerson, request: MfaRequest): 'verify' | 'enrol' | undefined {
  const asked = requestedMfa(request);
  const required = asked === 'required' || policyRequires(policy, person);
  if (person.hasFactor) return required || asked === 'requested' ? 'verify' : undefined;
  return required ? 'enrol' : undefined;
}
