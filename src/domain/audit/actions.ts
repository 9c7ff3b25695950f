// Every action the audit log knows, with what it targets and the details it keeps. `record` takes
// an AuditEntry, so a misspelt action, a target of the wrong kind, a missing detail or one the
// action does not keep is a type error. No detail may hold a password, a secret or a token.
//
// To add an action: add it to AuditActions below with its target and details, and record it from
// the one place that makes the change (a domain service, or for what only a channel sees, that
// channel), with the `by` its caller passed in.

/** Who acted: `cli` (`cli:<os user>` when known), `user:<sub>`, `client:<client_id>`, `anonymous`, `system`. */
export type Actor = 'cli' | `cli:${string}` | `user:${string}` | `client:${string}` | 'anonymous' | 'system';

/** Who acted and from where (the client's address, as the trusted proxy saw it); the CLI has none. */
export interface By {
  actor: Actor;
  sourceAddress?: string;
}

/** Changes nobody asked for: start-up, the key schedule, test fixtures. */
export const SYSTEM: By = { actor: 'system' };

export type UserTarget = `user:${string}`;
export type ClientTarget = `client:${string}`;
export type KeyTarget = `key:${string}`;
export type GroupTarget = `group:${string}`;

/** How many sessions and grants a change ended. */
export interface Revoked {
  revoked_sessions: number;
  revoked_grants: number;
}

/** What the log keeps of a client's registration: enough to see what it may do, nothing secret. */
export interface ClientSummary {
  client_name: string;
  public: boolean;
  grant_types: string[];
  scope: string | null;
  redirect_uris: string[];
  resource_server: boolean;
}

/** A change a client made to itself through the registration endpoint (RFC 7591, RFC 7592). */
interface ViaRegistration {
  client_id: string;
  via: 'dynamic_registration';
}

/** Why the system made a change (a console registration put right, a reserved name taken back). */
interface Reason {
  reason?: string;
}

interface KeyChange {
  kid: string;
  alg: string;
  reason: string;
  /** The state a created key starts in. */
  state?: string;
  forced?: true;
}

/** Each action's target and details. */
interface AuditActions {
  // People (the account service)
  'user.created': { target: UserTarget; details: { email: string; is_admin: boolean } };
  /** `changed`: the fields whose value changed, as the admin API names them; `attributes_changed`: which attributes (never their values). */
  'user.updated': { target: UserTarget; details: { changed: string[]; email: string; is_admin: boolean; attributes_changed?: string[] } };
  'user.disabled': { target: UserTarget; details: { email: string } & Revoked };
  'user.enabled': { target: UserTarget; details: { email: string } };
  'user.deleted': { target: UserTarget; details: { email: string } & Revoked };
  'user.password_set': { target: UserTarget };
  /** A person changed their own password (the account page); their other sessions ended. */
  'user.password_changed': { target: UserTarget; details: Revoked };
  /** A change of one's own password refused: wrong current password, or throttled (seconds to wait). */
  'user.password_change_failed': { target: UserTarget; details: { reason: 'wrong_password' } | { reason: 'throttled'; retry_after: number } };
  /** A person's password asked for again before a sensitive change (removing a second factor) was refused. */
  'user.password_check_failed': { target: UserTarget; details: { reason: 'wrong_password' } | { reason: 'throttled'; retry_after: number } };
  'user.unlocked': { target: UserTarget; details: { email: string; was_locked: boolean } };
  /** A mailed link was opened: the address is the person's (`signup`: it ended a sign-up's wait). */
  'user.email_verified': { target: UserTarget; details: { email: string; signup: boolean } };
  /** An email change took effect when the link sent to the new address was opened. */
  'user.email_changed': { target: UserTarget; details: { from: string; to: string } };
  // Second factors (src/domain/accounts/second-factors.ts)
  /** An authenticator app confirmed with a code from it; this many recovery codes were issued with it. */
  'user.totp_enrolled': { target: UserTarget; details: { recovery_codes: number } };
  /** The person removed their authenticator app (and with it their recovery codes), with their password. */
  'user.totp_removed': { target: UserTarget };
  /** New recovery codes replaced the old ones. */
  'user.recovery_codes_generated': { target: UserTarget; details: { count: number } };
  /** A recovery code was used (sign-in or the account page); `remaining` unused ones are left. */
  'user.recovery_code_used': { target: UserTarget; details: { context: 'sign_in' | 'account'; remaining: number } };
  /**
   * A code refused: wrong, already used (`replayed`), or not checked during a lockout (`throttled`);
   * or a passkey refused as the second factor, with the passkey check's reason (`other_person`: a
   * passkey of someone else than the person whose password was given; `key_owner` names them).
   */
  'user.second_factor_failed': {
    target: UserTarget;
    details: {
      method: 'totp' | 'recovery_code' | 'passkey';
      context: 'sign_in' | 'account';
      reason:
        | 'wrong_code'
        | 'replayed'
        | 'throttled'
        | 'challenge'
        | 'malformed'
        | 'unknown_credential'
        | 'verification'
        | 'counter'
        | 'user_handle'
        | 'disabled'
        | 'too_many'
        | 'other_person'
        | 'none';
      retry_after?: number;
      key_owner?: UserTarget;
    };
  };
  /**
   * An admin removed every second factor of the person: the app, the recovery codes and the
   * passkeys, each by `key_id` and name under `webauthn_keys` (a detail named "passkeys" would be
   * scrubbed as if it held a password).
   */
  'user.second_factors_reset': {
    target: UserTarget;
    details: { email: string; totp: boolean; recovery_codes: number; webauthn_keys: { key_id: string; name: string }[] };
  };
  // Self-service (sign-up and email verification, src/domain/accounts/sign-up.ts, email-verification.ts)
  /** A person created their account (it waits for its link); `user.created` is recorded with it. */
  'user.signed_up': { target: UserTarget; details: { email: string } };
  /** Someone tried to sign up with an address that has an account: its owner got a note instead. */
  'signup.existing_email': { target: UserTarget; details: { email: string } };
  /** Target: the email typed, when it is an email address at all. */
  'signup.throttled': { target?: string; details: { retry_after: number } };
  /** `taken`: another account has the new address (its owner got a note, not a link). */
  'user.email_change_requested': { target: UserTarget; details: { email: string; new_email: string; taken: boolean } };
  'user.verification_resent': { target: UserTarget; details: { email: string } };
  // Mailed links (src/domain/accounts/password-reset.ts, invitations.ts)
  /** A person created without a password, to choose one from an invitation mail. */
  'user.invited': { target: UserTarget; details: { email: string; is_admin: boolean } };
  'user.invitation_sent': { target: UserTarget; details: { email: string; expires_at: string } };
  'user.invitation_accepted': { target: UserTarget; details: { email: string } };
  /** A reset link was mailed (asked for on /forgot-password, or sent by an admin). */
  'user.password_reset_requested': { target: UserTarget; details: { email: string; expires_at: string } };
  /** A password chosen through a reset link: every session and grant ended, the sign-in lockout lifted. */
  'user.password_reset': { target: UserTarget; details: { email: string } & Revoked };
  // Passkeys (src/domain/accounts/passkeys.ts): a person's own, on the account page
  'passkey.added': { target: UserTarget; details: { key_id: string; name: string; device_type: string; backed_up: boolean } };
  'passkey.renamed': { target: UserTarget; details: { key_id: string; name: string; from: string } };
  'passkey.removed': { target: UserTarget; details: { key_id: string; name: string } };
  // Sessions and grants (the user-sessions service)
  /** `others`: a person signed out every session but the one they were using (the account page). */
  'session.revoked': { target: UserTarget; details: Revoked & ({ scope: 'all' } | { scope: 'others'; kept_session_uid: string } | { session_uid: string }) };

  // Signing in (the sign-in pages, through domain/accounts/sign-in-events.ts)
  /** Target: the email typed, when it is an email address at all. */
  /** `method: 'passkey'` and `reason` (PasskeyFailure) for a refused passkey; target then the passkey's person, if known. */
  'login.failed': { target?: string; details: { client_id?: string; method?: 'passkey'; reason?: string } };
  'login.throttled': { target?: string; details: { client_id?: string; retry_after: number } };
  'user.locked': { target: UserTarget; details: { client_id?: string; locked_for: number } };
  /** `method: 'passkey'` with the passkey and the amr it gave; a password sign-in names no method. */
  'login.succeeded': { target: UserTarget; details: { client_id?: string; remember: boolean; method?: 'passkey'; key_id?: string; amr?: string[] } };
  'consent.granted': { target: ClientTarget; details: { client_id: string; scope: string; grant_id?: string } };
  'interaction.aborted': { target?: ClientTarget; details: { client_id?: string; prompt?: string } };
  // The admin console's own sign-in
  'console.signed_in': { target: UserTarget };
  'console.denied': { target: UserTarget };
  'console.signed_out': { target: UserTarget };

  // Clients (the client service; dynamic registration through the provider's events)
  'client.created': { target: ClientTarget; details: ClientSummary & Reason };
  'client.registered': { target: ClientTarget; details: ClientSummary & ViaRegistration };
  /** `changed`: the registration fields whose value changed. */
  'client.updated': { target: ClientTarget; details: ClientSummary & (({ changed: string[] } & Reason) | ViaRegistration) };
  'client.deleted': { target: ClientTarget; details: (ClientSummary & Reason) | ViaRegistration };
  'client.secret_rotated': { target: ClientTarget; details: { client_name: string } };
  'client.initial_token_created': { target: 'registration'; details: { expires_in: number; expires_at: string } };
  'client.authentication_failed': { target?: ClientTarget; details: { endpoint: string; client_id?: string; reason?: string } };

  // The provider's own events (src/oidc/audit-events.ts, src/oidc/logout-hint.ts)
  'token.revoked': { target?: UserTarget | ClientTarget; details: { kind: string; client_id?: string; sub?: string; grant_id?: string } };
  'grant.revoked': { target: `grant:${string}`; details: { grant_id: string; client_id?: string; sub?: string; route: string; reason: string } };
  'logout.succeeded': { target?: UserTarget; details: { client_id?: string; everywhere: boolean } };
  'logout.backchannel_failed': { target: ClientTarget; details: { client_id: string; sub?: string; reason: string } };
  'logout.hint_ignored': { target?: ClientTarget; details: { kid: string; client_id?: string; client_id_from?: string; reason: string } };

  // Groups and access rules (src/domain/groups/): a group by its id (names change), a membership by its person
  'group.created': { target: GroupTarget; details: { name: string; description?: string } };
  /** `clients`: the clients whose allowed_groups named it, now naming it by its new name. */
  'group.renamed': { target: GroupTarget; details: { name: string; from: string; clients: string[] } };
  'group.updated': { target: GroupTarget; details: { name: string; changed: string[] } };
  'group.deleted': { target: GroupTarget; details: { name: string; members: number } };
  'group.member_added': { target: UserTarget; details: { group: string; group_id: string; email: string } };
  'group.member_removed': { target: UserTarget; details: { group: string; group_id: string; email: string } };
  /** A person outside a client's allowed_groups was refused: at sign-in (the page), prompt=none, or a refresh. */
  'access.denied': { target: UserTarget; details: { client_id: string; context: 'sign_in' | 'prompt_none' | 'refresh'; allowed_groups: string[] } };

  // Signing keys (the key service)
  'key.created': { target: KeyTarget; details: KeyChange };
  'key.activated': { target: KeyTarget; details: KeyChange };
  'key.reinstated': { target: KeyTarget; details: KeyChange };
  'key.retired': { target: KeyTarget; details: KeyChange };
  'key.revoked': { target: KeyTarget; details: KeyChange };
  'key.deleted': { target: KeyTarget; details: KeyChange };
  'key.grants_revoked': { target: KeyTarget; details: { kid: string; alg: string; count: number } };
  /**
   * KEY_ACTIVATION_GATE held the scheduled activation of this next key (`held`, once per hold), or
   * its maximum delay released it without the share (`released`): how many recent JWKS fetchers had
   * received it, the share wanted, and until when at the latest it is held.
   */
  'key.activation_held': {
    target: KeyTarget;
    details: {
      kid: string;
      alg: string;
      reason: string;
      outcome: 'held' | 'released';
      fetchers: number;
      received: number;
      share: number;
      required_share: number;
      until: string;
    };
  };
  'keys.rewrapped': { target: 'keys'; details: { signing_keys: number; client_secrets: number } };
}

export type AuditAction = keyof AuditActions;

/**
 * Every action at run time (the console's filter lists them). A Record over AuditAction: an
 * action added above and missing here is a type error, so the list cannot fall behind.
 */
const EVERY_ACTION: Record<AuditAction, true> = {
  'user.created': true,
  'user.updated': true,
  'user.disabled': true,
  'user.enabled': true,
  'user.deleted': true,
  'user.password_set': true,
  'user.unlocked': true,
  'user.invited': true,
  'user.invitation_sent': true,
  'user.invitation_accepted': true,
  'user.password_reset_requested': true,
  'user.password_reset': true,
  'user.password_changed': true,
  'user.password_change_failed': true,
  'user.password_check_failed': true,
  'user.email_verified': true,
  'user.email_changed': true,
  'user.signed_up': true,
  'user.totp_enrolled': true,
  'user.totp_removed': true,
  'user.recovery_codes_generated': true,
  'user.recovery_code_used': true,
  'user.second_factor_failed': true,
  'user.second_factors_reset': true,
  'signup.existing_email': true,
  'signup.throttled': true,
  'user.email_change_requested': true,
  'user.verification_resent': true,
  'passkey.added': true,
  'passkey.renamed': true,
  'passkey.removed': true,
  'session.revoked': true,
  'login.failed': true,
  'login.throttled': true,
  'user.locked': true,
  'login.succeeded': true,
  'consent.granted': true,
  'interaction.aborted': true,
  'console.signed_in': true,
  'console.denied': true,
  'console.signed_out': true,
  'client.created': true,
  'client.registered': true,
  'client.updated': true,
  'client.deleted': true,
  'client.secret_rotated': true,
  'client.initial_token_created': true,
  'client.authentication_failed': true,
  'token.revoked': true,
  'grant.revoked': true,
  'logout.succeeded': true,
  'logout.backchannel_failed': true,
  'logout.hint_ignored': true,
  'group.created': true,
  'group.renamed': true,
  'group.updated': true,
  'group.deleted': true,
  'group.member_added': true,
  'group.member_removed': true,
  'access.denied': true,
  'key.created': true,
  'key.activated': true,
  'key.reinstated': true,
  'key.retired': true,
  'key.revoked': true,
  'key.deleted': true,
  'key.grants_revoked': true,
  'key.activation_held': true,
  'keys.rewrapped': true,
};

export const AUDIT_ACTIONS: readonly AuditAction[] = (Object.keys(EVERY_ACTION) as AuditAction[]).sort();

export const isAuditAction = (value: string): value is AuditAction => Object.hasOwn(EVERY_ACTION, value);

/** One audit record as its recorder gives it: the action, its target and its details. */
export type AuditEntry = { [A in AuditAction]: { action: A } & AuditActions[A] }[AuditAction];

/** What the domain services and channels record through (the audit service). Never throws. */
export interface AuditRecorder {
  record(by: By, entry: AuditEntry): Promise<void>;
}
