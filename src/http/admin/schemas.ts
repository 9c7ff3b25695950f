// What the admin API accepts and returns, as zod schemas. The routes validate with them (inputs
// strictly: an unknown field is an error that names it) and pass every response through its
// schema, which drops anything the schema does not list (a client secret cannot leak into a
// response that does not declare it). The OpenAPI document is generated from the same schemas:
// each one registered here is a component under its id.
import { z } from 'zod';
import { AUTH_METHODS, ClientChangesSchema, ClientRegistrationSchema, GRANT_TYPES } from '../../domain/clients/schema.js';
import { isPlainText, NOT_PLAIN_TEXT } from '../../domain/text.js';
import { MAX_INITIAL_TOKEN_LIFETIME } from '../../oidc/initial-access-token.js';

export const registry = z.registry<{ id: string; description?: string }>();

function component<T extends z.ZodType>(id: string, description: string, schema: T): T {
  registry.add(schema, { id, description });
  return schema;
}

/**
 * Every string the API takes, passwords aside: a NUL or an unpaired surrogate is a field error
 * here, never a database failure further on.
 */
const text = () => z.string().refine(isPlainText, NOT_PLAIN_TEXT);

const timestamp = z.string().meta({ format: 'date-time', description: 'RFC 3339 date-time (UTC)' });
const count = z.number().int().min(0);

// ---------- problems

export const FieldError = component(
  'FieldError',
  'One field the request got wrong.',
  z.object({
    field: z.string().describe('body member (dotted for nested ones, e.g. redirect_uris.0), query or path parameter'),
    message: z.string(),
  }),
);

export const ProblemDetails = component(
  'Problem',
  'RFC 9457 problem details (application/problem+json).',
  z.object({
    type: z.string().describe('about:blank: the status says what happened'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().describe('what went wrong, for people'),
    instance: z.string().optional(),
    errors: z.array(FieldError).optional().describe('on 422: every bad field'),
  }),
);

// ---------- paging

const limit = z.coerce.number().int().min(1).max(200).optional().describe('page size, 1 to 200 (default 50)');
const cursor = text().min(1).max(200).optional().describe('next_cursor of the previous page');

export const PageQuery = z.strictObject({ limit, cursor });

function page<T extends z.ZodType>(id: string, what: string, item: T) {
  return component(
    id,
    `A page of ${what}; pass next_cursor as ?cursor= for the next one (null: this is the last page).`,
    z.object({ items: z.array(item), next_cursor: z.string().nullable() }),
  );
}

// ---------- clients

export const ClientInput = component(
  'ClientInput',
  "A client to register, in RFC 7591 names (plus Sesame's resources and resource_server). Confidential (a secret is issued) unless token_endpoint_auth_method is none.",
  ClientRegistrationSchema,
);

export const ClientPatch = component(
  'ClientPatch',
  'Changes to a registration, in the same names: absent fields stay, null removes an optional one. A client cannot switch between public and confidential (409).',
  ClientChangesSchema,
);

export const Client = component(
  'Client',
  'A registered client (never its secret): its metadata in RFC 7591 names, as stored.',
  z.object(ClientRegistrationSchema.shape).extend({
    client_id: z.string(),
    client_name: z.string(),
    application_type: z.enum(['web', 'native']),
    redirect_uris: z.array(z.string()),
    post_logout_redirect_uris: z.array(z.string()),
    grant_types: z.array(z.enum(GRANT_TYPES)),
    response_types: z.array(z.string()),
    token_endpoint_auth_method: z.enum(AUTH_METHODS),
    resource_server: z.literal(true).optional().describe('present (true) for a resource server'),
    has_secret: z.boolean(),
    created_at: timestamp,
  }),
);

export const ClientWithSecret = component(
  'ClientWithSecret',
  'A client with its new secret: returned only by create and rotate-secret. Stored encrypted; it cannot be shown again.',
  Client.extend({ client_secret: z.string().optional().describe('absent for clients without a secret: public (none) and private_key_jwt') }),
);

export const ClientPage = page('ClientPage', 'clients, oldest first', Client);

export const ClientParams = z.strictObject({ client_id: text().min(1).max(200) });

// ---------- users

const userFields = {
  email: text().max(254),
  password: z.string().max(1024).describe('checked against the password policy; never returned or logged'),
  name: text().max(200),
  email_verified: z.boolean(),
  is_admin: z.boolean().describe('may use the admin console (with a token carrying the admin scope)'),
};

/** An attribute's value as the API shows it; the account service checks keys, sizes and text (claims/attributes.ts). */
const attributeValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

export const UserInput = component(
  'UserInput',
  'A person to create.',
  z.strictObject({
    email: userFields.email,
    password: userFields.password,
    name: userFields.name.optional(),
    email_verified: userFields.email_verified.optional(),
    is_admin: userFields.is_admin.optional(),
  }),
);

export const UserPatch = component(
  'UserPatch',
  'Changes to a user: absent fields stay; name null removes the name; a new email is stored lower-case and must not be taken (409). Disable, enable and the password have routes of their own.',
  z.strictObject({
    email: userFields.email.optional(),
    name: userFields.name.nullable().optional(),
    email_verified: userFields.email_verified.optional(),
    is_admin: userFields.is_admin.optional(),
    attributes: z
      .record(z.string(), attributeValue.nullable())
      .optional()
      .describe(
        'attributes to set (a value: text, a number, true/false or a list of texts) or remove (null); the others stay. Keys: a lower-case letter, then up to 63 lower-case letters, digits or _',
      ),
  }),
);

export const PasswordInput = component('PasswordInput', 'A new password.', z.strictObject({ password: userFields.password }));

export const User = component(
  'User',
  'A person who can sign in (never their password).',
  z.object({
    id: z.string().describe('the `sub` of their tokens'),
    email: z.string(),
    name: z.string().nullable(),
    email_verified: z.boolean(),
    disabled: z.boolean(),
    is_admin: z.boolean(),
    attributes: z.record(z.string(), attributeValue).describe("custom attributes, what a client's extra_claims may take claims from"),
    created_at: timestamp,
  }),
);

export const UserPage = page('UserPage', 'users, oldest first', User);

const PasskeySummary = component(
  'PasskeySummary',
  "One of a person's passkeys (never its key or credential id).",
  z.object({
    id: z.string(),
    name: z.string(),
    synced: z.boolean().describe("true: a synced passkey (its key copied between the person's devices); false: bound to one authenticator"),
    created_at: timestamp,
    last_used_at: timestamp.nullable(),
  }),
);

export const UserFactors = component(
  'UserFactors',
  "A person's second factors: the authenticator app, the recovery codes left, the passkeys.",
  z.object({
    totp: z.object({ confirmed_at: timestamp }).nullable().describe('the authenticator app, or null when they have none (or have not confirmed one yet)'),
    totp_enrolling: z.boolean().describe('an app was added on the account page but not confirmed with a code yet'),
    recovery_codes_left: z.number().int(),
    passkeys: z.array(PasskeySummary),
  }),
);

export const FactorReset = component(
  'FactorReset',
  'What a reset of second factors removed.',
  z.object({
    totp: z.boolean().describe('an authenticator app was removed'),
    recovery_codes: z.number().int().describe('how many recovery codes (used or not) were removed'),
    passkeys: z.array(z.object({ id: z.string(), name: z.string() })),
  }),
);

export const UserListQuery = PageQuery.extend({
  search: text().min(1).max(254).optional().describe('only users whose email contains this'),
});

export const UserParams = z.strictObject({ user_id: text().min(1).max(200) });

const mailLocale = z.enum(['en', 'de']).describe('the language of the mail (default en)');

export const InvitationInput = component(
  'InvitationInput',
  'A person to invite: created without a password, they get a mail with a link (valid 7 days) to choose one.',
  z.strictObject({
    email: userFields.email,
    name: userFields.name.optional(),
    is_admin: userFields.is_admin.optional(),
    locale: mailLocale.optional(),
  }),
);

export const ResendInvitationInput = component(
  'ResendInvitationInput',
  'Options for sending an invitation again.',
  z.strictObject({ locale: mailLocale.optional() }),
);

export const Invitation = component(
  'Invitation',
  'An invitation sent: the person (without a password until they accept) and when the link stops working.',
  z.object({ user: User, expires_at: timestamp }),
);

// ---------- signing and encryption keys

export const Key = component(
  'Key',
  'A signing or encryption key: kid, algorithm, use, lifecycle state and timestamps (never key material).',
  z.object({
    kid: z.string(),
    alg: z.string(),
    use: z.enum(['sig', 'enc']).describe('sig: signs tokens (SIGNING_ALGS); enc: RPs encrypt request objects to it (ENCRYPTION_ALGS)'),
    state: z.string().describe('next, active, retired or revoked'),
    created_at: timestamp,
    published_at: timestamp,
    activated_at: timestamp.nullable(),
    retired_at: timestamp.nullable(),
    expires_at: timestamp.nullable(),
    revoked_at: timestamp.nullable(),
  }),
);

export const KeyList = component('KeyList', 'Every signing and encryption key.', z.object({ items: z.array(Key) }));

export const KeyRotateInput = component(
  'KeyRotateInput',
  'What to rotate (an empty body rotates every family within the safeguards).',
  z.strictObject({
    alg: text().min(1).max(20).optional().describe('only this family (one of SIGNING_ALGS or ENCRYPTION_ALGS)'),
    force: z.boolean().optional().describe('rotate even when the safeguards refuse (RPs may briefly fail to verify)'),
  }),
);

export const KeyRevokeInput = component(
  'KeyRevokeInput',
  'How far a revocation goes.',
  z.strictObject({
    revoke_grants: z.boolean().optional().describe('also end the sessions, grants and tokens issued while the key could sign'),
  }),
);

export const KeyChange = component(
  'KeyChange',
  'One change a rotation or revocation made.',
  z.object({
    kind: z.enum(['revoke', 'activate', 'reinstate', 'retire', 'delete', 'create']),
    kid: z.string(),
    alg: z.string(),
    reason: z.string(),
  }),
);

export const KeyChanges = component(
  'KeyChanges',
  'What changed, and the keys afterwards. Running instances serve the change within a second (KEY_SYNC_INTERVAL at the latest).',
  z.object({
    changes: z.array(KeyChange),
    keys: z.array(Key),
    warnings: z.array(z.string()).optional().describe('what the change risks, e.g. a next key promoted before every RP may hold it'),
    revoked_grants: count.optional().describe('with revoke_grants: how many sessions, grants and tokens ended'),
  }),
);

export const KeyParams = z.strictObject({ kid: text().min(1).max(200) });

export const KeyEventQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).optional().describe('at most this many events, 1 to 200 (default 20)'),
  failed: z.enum(['true', 'false']).optional().describe('true: only events with a failing delivery (retrying, or failed for good)'),
});

export const KeyEventDelivery = component(
  'KeyEventDelivery',
  "One receiver's delivery of a key event.",
  z.object({
    receiver: z.string().describe('the KEY_EVENTS_WEBHOOK_URL entry, without its query'),
    state: z.enum(['pending', 'sending', 'delivered', 'failed']).describe('failed: no attempts left'),
    attempts: count,
    last_status: z.number().int().nullable().describe("the receiver's last HTTP status"),
    last_error: z.string().nullable().describe('why the last attempt failed'),
    last_attempt_at: timestamp.nullable(),
    next_attempt_at: timestamp.nullable().describe('when pending: the next attempt'),
    delivered_at: timestamp.nullable(),
  }),
);

export const KeyEvent = component(
  'KeyEvent',
  'A key state change as the CloudEvent sent to the webhook receivers, and its deliveries.',
  z.object({
    id: z.string().describe("the CloudEvent's id"),
    type: z.string().describe('dev.sesame.key.created, dev.sesame.key.activated, ...'),
    time: timestamp,
    kid: z.string().nullable(),
    data: z.record(z.string(), z.unknown()).describe("the CloudEvent's data: kid, alg, state, reason, by"),
    dispatched_at: timestamp.nullable().describe('when a server took it up for delivery (null: none has yet)'),
    deliveries: z.array(KeyEventDelivery),
  }),
);

export const KeyEventList = component('KeyEventList', 'Key events, newest first.', z.object({ items: z.array(KeyEvent) }));

export const KeyStatus = component(
  'KeyStatus',
  'How far each next key has reached the RPs: of the distinct /jwks fetchers (source address and User-Agent) seen ' +
    'within window_seconds (JWKS_FETCHER_RETENTION), how many last received a key set containing it, when the schedule ' +
    'may activate it, and whether KEY_ACTIVATION_GATE holds it.',
  z.object({
    window_seconds: count.describe('a fetcher is recent when seen within this many seconds'),
    recent_fetchers: count,
    gate: z.object({
      share: z.number().nullable().describe('KEY_ACTIVATION_GATE: the share wanted before a scheduled activation; null: off'),
      max_delay_seconds: count.describe('KEY_ACTIVATION_GATE_MAX_DELAY: the longest the gate holds an activation'),
    }),
    families: z.array(
      z.object({
        alg: z.string(),
        next: z
          .object({
            kid: z.string(),
            published_at: timestamp,
            eligible_at: timestamp.nullable().describe('when the schedule and the rotation rules first let it activate'),
          })
          .nullable(),
        fetchers: count,
        received: count.describe('recent fetchers whose latest key set held the next key (a 304 on the current ETag counts)'),
        share: z.number().nullable().describe('received / fetchers; null without fetchers'),
        hold: z
          .object({ since: timestamp, until: timestamp.describe('released then at the latest'), released_at: timestamp.nullable() })
          .nullable()
          .describe('set once the gate held the next key'),
      }),
    ),
  }),
);

// ---------- sessions and grants

export const Session = component(
  'Session',
  'A browser session of the user (its cookie value is never shown).',
  z.object({
    uid: z.string().describe('identifies the session here'),
    login_at: timestamp.nullable(),
    created_at: timestamp,
    expires_at: timestamp.nullable(),
    client_ids: z.array(z.string()).describe('clients signed in through this session'),
  }),
);

export const Grant = component(
  'Grant',
  'What the user allowed one client; its tokens (refresh tokens included) live under it.',
  z.object({
    grant_id: z.string(),
    client_id: z.string().nullable(),
    scope: z.string().nullable().describe('the OpenID Connect scopes granted'),
    resources: z.record(z.string(), z.string()).describe('API scopes granted, per resource'),
    created_at: timestamp,
    expires_at: timestamp.nullable(),
  }),
);

export const UserSessions = component('UserSessions', "The user's live sessions and grants.", z.object({ sessions: z.array(Session), grants: z.array(Grant) }));

export const Revocation = component('Revocation', 'What a revocation ended.', z.object({ revoked_sessions: count, revoked_grants: count }));

export const SessionParams = UserParams.extend({ session_uid: text().min(1).max(200) });

// ---------- dynamic registration

export const InitialAccessTokenInput = component(
  'InitialAccessTokenInput',
  'How long the initial access token may be used (an empty body: one hour).',
  z.strictObject({
    expires_in: z
      .number()
      .int()
      .min(60)
      .max(MAX_INITIAL_TOKEN_LIFETIME)
      .optional()
      .describe(`lifetime in seconds, 60 to ${MAX_INITIAL_TOKEN_LIFETIME} (default 3600)`),
  }),
);

export const InitialAccessToken = component(
  'InitialAccessToken',
  'A token for dynamic client registration (RFC 7591): send it as Authorization: Bearer to registration_endpoint. Shown in this response only.',
  z.object({
    initial_access_token: z.string(),
    expires_in: count,
    expires_at: timestamp,
    registration_endpoint: z.string(),
  }),
);

// ---------- audit log

export const AuditQuery = z.strictObject({
  since: text()
    .max(40)
    .refine((v) => /^\d{4}-\d\d-\d\d/.test(v) && !Number.isNaN(Date.parse(v)), 'must be an ISO date or date-time such as 2025-01-31T12:00:00Z')
    .optional()
    .describe('only events at or after this ISO 8601 date or date-time'),
  action: text().min(1).max(100).optional().describe('only this action, e.g. login.failed, client.registered'),
  limit,
  cursor,
});

export const AuditEvent = component(
  'AuditEvent',
  'One audit event: who did what to what, when and from where (never a secret).',
  z.object({
    id: z.string(),
    at: timestamp,
    actor: z.string().describe('cli, user:<sub>, client:<client_id>, anonymous or system'),
    action: z.string(),
    target: z.string().nullable(),
    source_address: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  }),
);

export const AuditPage = page('AuditPage', 'audit events, newest first', AuditEvent);
