// RFC 7591/7592 client metadata (what oidc-provider's registration endpoint receives) onto
// Sesame's ClientInput, so a dynamically registered client passes exactly the rules (and gets
// exactly the messages) of `sesame clients create` and POST /admin/api/v1/clients.
// What Sesame's client table cannot represent is refused by name rather than silently dropped,
// and a dynamically registered client can never give itself Sesame's `admin` scope or an API's.
import { ValidationError } from '../errors.js';
import { ADMIN_SCOPE, OIDC_SCOPES, type ClientInput } from './client-metadata.js';

/** The RFC 7591 fields Sesame stores for a client. */
export const REGISTRATION_FIELDS = [
  'client_name',
  'redirect_uris',
  'post_logout_redirect_uris',
  'backchannel_logout_uri',
  'grant_types',
  'response_types',
  'token_endpoint_auth_method',
  'scope',
  'id_token_signed_response_alg',
  'application_type',
] as const;

/** Set by the registration endpoint itself (or, on an RFC 7592 update, echoed back by the client). */
const ISSUED_FIELDS = new Set(['client_id', 'client_secret', 'client_id_issued_at', 'client_secret_expires_at']);

const ACCEPTED = new Set<string>([...REGISTRATION_FIELDS, ...ISSUED_FIELDS]);
const AUTH_METHODS = ['client_secret_basic', 'none'];

function stringField(metadata: Record<string, unknown>, field: string): string | undefined {
  const value = metadata[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ValidationError(`${field} must be a string`, field);
  return value;
}

function stringArray(metadata: Record<string, unknown>, field: string): string[] | undefined {
  const value = metadata[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new ValidationError(`${field} must be an array of strings`, field);
  }
  return value as string[];
}

/**
 * A registration request's metadata as a ClientInput, refusing what Sesame does not store. The
 * result still has to pass buildClientMetadata (the shared rules).
 */
export function registrationToInput(metadata: Record<string, unknown>): ClientInput {
  for (const [field, value] of Object.entries(metadata)) {
    if (ACCEPTED.has(field) || value === undefined || value === null) continue;
    throw new ValidationError(`client metadata "${field}" is not supported by this provider; it accepts ${REGISTRATION_FIELDS.join(', ')}`, field);
  }

  const authMethod = stringField(metadata, 'token_endpoint_auth_method') ?? 'client_secret_basic';
  if (!AUTH_METHODS.includes(authMethod)) {
    throw new ValidationError(
      `token_endpoint_auth_method "${authMethod}" is not supported; use client_secret_basic (confidential) or none (public, with PKCE)`,
      'token_endpoint_auth_method',
    );
  }

  const grantTypes = stringArray(metadata, 'grant_types');
  const responseTypes = stringArray(metadata, 'response_types');
  if (responseTypes !== undefined) {
    for (const type of responseTypes) {
      if (type !== 'code') throw new ValidationError(`response type "${type}" is not supported; use code`, 'response_types');
    }
    const usesCode = !grantTypes?.length || grantTypes.includes('authorization_code');
    if (usesCode !== responseTypes.includes('code')) {
      throw new ValidationError(
        usesCode ? 'response_types must include code for the authorization_code grant' : 'response type code needs the authorization_code grant',
        'response_types',
      );
    }
  }

  const scope = stringField(metadata, 'scope');
  for (const token of (scope ?? '').split(/\s+/).filter(Boolean)) {
    if (token === ADMIN_SCOPE) {
      throw new ValidationError(
        `scope "${ADMIN_SCOPE}" cannot be registered dynamically; an administrator grants it with sesame clients create or the admin API`,
        'scope',
      );
    }
    if (!OIDC_SCOPES.has(token)) {
      throw new ValidationError(`scope "${token}" is not available to dynamically registered clients; use ${[...OIDC_SCOPES].join(', ')}`, 'scope');
    }
  }

  const applicationType = stringField(metadata, 'application_type');
  if (applicationType !== undefined && applicationType !== 'web' && applicationType !== 'native') {
    throw new ValidationError(`application_type "${applicationType}" is not supported; use web or native`, 'application_type');
  }

  const backchannelLogoutUri = stringField(metadata, 'backchannel_logout_uri');
  const idTokenAlg = stringField(metadata, 'id_token_signed_response_alg');
  const redirectUris = stringArray(metadata, 'redirect_uris');
  const postLogout = stringArray(metadata, 'post_logout_redirect_uris');
  return {
    name: stringField(metadata, 'client_name') ?? '',
    ...(redirectUris !== undefined ? { redirectUris } : {}),
    ...(postLogout !== undefined ? { postLogoutRedirectUris: postLogout } : {}),
    ...(backchannelLogoutUri !== undefined ? { backchannelLogoutUri } : {}),
    public: authMethod === 'none',
    ...(grantTypes !== undefined ? { grantTypes } : {}),
    ...(scope !== undefined ? { scope } : {}),
    ...(idTokenAlg !== undefined ? { idTokenSignedResponseAlg: idTokenAlg } : {}),
  };
}

/**
 * The application_type a registrant asked for must be the one Sesame derives from the redirect
 * URIs (native: a private-use scheme), or the client would be stored as something it did not ask.
 */
export function checkApplicationType(metadata: Record<string, unknown>, derived: 'web' | 'native'): void {
  const asked = metadata.application_type;
  if (asked === undefined || asked === null || asked === derived) return;
  throw new ValidationError(`application_type "${String(asked)}" does not match the redirect URIs, which make this a ${derived} client`, 'application_type');
}
