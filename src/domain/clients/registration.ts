// What dynamic registration (RFC 7591/7592 at /reg) may ask for beyond the shared rules: the same
// fields as `sesame clients create` and the admin API (schema.ts), with the same messages, except
// what only an administrator decides: Sesame's `admin` scope, an API's scopes, the APIs a client
// may get tokens for, and whether it may introspect other clients' tokens.
import { ValidationError } from '../errors.js';
import { ADMIN_SCOPE, OIDC_SCOPES } from './client-metadata.js';
import { ADMINISTERED_FIELDS, CLIENT_FIELD_NAMES, parseClientRegistration, type ClientRegistration } from './schema.js';

/** Set by the registration endpoint itself (or, on an RFC 7592 update, echoed back by the client). */
export const ISSUED_FIELDS = ['client_id', 'client_secret', 'client_id_issued_at', 'client_secret_expires_at'] as const;

/** The fields a registrant may send, in the order the refusal message lists them. */
export const REGISTRATION_FIELDS = CLIENT_FIELD_NAMES.filter((f) => !ADMINISTERED_FIELDS.includes(f));

/**
 * A registration request's metadata (the registration endpoint's own fields set aside), checked
 * field by field. The result still has to pass buildClientMetadata (how the fields fit together).
 */
export function parseDynamicRegistration(metadata: Record<string, unknown>): ClientRegistration {
  const asked: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(metadata)) {
    if ((ISSUED_FIELDS as readonly string[]).includes(field) || value === undefined || value === null) continue;
    // An app must not choose who may use it: its access rules are an administrator's (and kept
    // across its own updates: client-service.ts saveRegistered).
    if (field === 'allowed_groups') {
      throw new ValidationError(
        'allowed_groups cannot be registered dynamically: who may use an app is for an administrator to decide (sesame clients update ID --allowed-group NAME, or the admin API)',
        field,
      );
    }
    if (!(REGISTRATION_FIELDS as readonly string[]).includes(field)) {
      throw new ValidationError(`client metadata "${field}" is not supported by this provider; it accepts ${REGISTRATION_FIELDS.join(', ')}`, field);
    }
    asked[field] = value;
  }
  const registration = parseClientRegistration({ client_name: '', ...asked });
  for (const token of (registration.scope ?? '').split(/\s+/).filter(Boolean)) {
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
  return registration;
}
