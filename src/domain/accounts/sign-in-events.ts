// What happens on the sign-in pages, for the audit log (and one log line each): sign-ins that
// failed, were refused during a lockout or succeeded, lockouts that began, consent and aborted
// interactions. The sign-in pages say what happened; this says who acted: nobody is known until
// the password was right, so a failure or a lockout is `anonymous`. Of what was typed only an
// email address is kept: people type passwords into the email field.
import type { Logger } from '../../logger.js';
import type { AuditEntry, AuditRecorder, By } from '../audit/actions.js';
import { asEmailAddress } from './account-service.js';
import type { PasskeyFailure } from './passkeys.js';

/** Where a sign-in came from: the client's address and the app it signs in to. */
export interface SignInSource {
  sourceAddress: string;
  clientId?: string | undefined;
}

const seconds = (ms: number) => Math.ceil(ms / 1000);

export function createSignInEvents(audit: AuditRecorder, log: Logger) {
  async function record(by: By, entry: AuditEntry): Promise<void> {
    log.info(entry.action, { actor: by.actor, sourceAddress: by.sourceAddress, ...entry });
    await audit.record(by, entry);
  }
  const anonymous = (from: SignInSource): By => ({ actor: 'anonymous', sourceAddress: from.sourceAddress });
  const person = (accountId: string, from: SignInSource): By => ({ actor: `user:${accountId}`, sourceAddress: from.sourceAddress });
  const app = (from: SignInSource) => (from.clientId ? { client_id: from.clientId } : {});

  return {
    /** A wrong email or password (or a disabled account: the page cannot tell, nor can this). */
    failed: (email: string, from: SignInSource) => record(anonymous(from), { action: 'login.failed', target: asEmailAddress(email), details: app(from) }),

    /** An attempt refused during a lockout, before any password was checked. */
    throttled: (email: string, retryAfterMs: number, from: SignInSource) =>
      record(anonymous(from), { action: 'login.throttled', target: asEmailAddress(email), details: { ...app(from), retry_after: seconds(retryAfterMs) } }),

    /** A real account's lockout began. */
    locked: (accountId: string, lockedForMs: number, from: SignInSource) =>
      record(anonymous(from), { action: 'user.locked', target: `user:${accountId}`, details: { ...app(from), locked_for: seconds(lockedForMs) } }),

    /** `amr`: how the person signed in (password, and the second factor when there was one). */
    succeeded: (accountId: string, remember: boolean, from: SignInSource, amr?: string[]) =>
      record(person(accountId, from), { action: 'login.succeeded', target: `user:${accountId}`, details: { ...app(from), remember, ...(amr ? { amr } : {}) } }),

    /**
     * A passkey not accepted as the second factor of `accountId` (whose password was right); `keyOwner`:
     * whose passkey it was when it was someone else's.
     */
    passkeySecondFactorFailed: (accountId: string, reason: PasskeyFailure, keyOwner: string | undefined, from: SignInSource) =>
      record(person(accountId, from), {
        action: 'user.second_factor_failed',
        target: `user:${accountId}`,
        details: { method: 'passkey', context: 'sign_in', reason, ...(keyOwner && keyOwner !== accountId ? { key_owner: `user:${keyOwner}` as const } : {}) },
      }),

    /** A passkey not accepted (`reason`: PasskeyFailure); the person is named when the passkey was theirs. */
    passkeyFailed: (reason: string, accountId: string | undefined, from: SignInSource) =>
      record(anonymous(from), {
        action: 'login.failed',
        ...(accountId ? { target: `user:${accountId}` as const } : {}),
        details: { ...app(from), method: 'passkey', reason },
      }),

    passkeySucceeded: (accountId: string, passkey: { id: string; amr: string[] }, remember: boolean, from: SignInSource) =>
      record(person(accountId, from), {
        action: 'login.succeeded',
        target: `user:${accountId}`,
        details: { ...app(from), remember, method: 'passkey', key_id: passkey.id, amr: passkey.amr },
      }),

    consented: (accountId: string, grant: { scope: string; grantId?: string }, from: SignInSource & { clientId: string }) =>
      record(person(accountId, from), {
        action: 'consent.granted',
        target: `client:${from.clientId}`,
        details: { client_id: from.clientId, scope: grant.scope, ...(grant.grantId ? { grant_id: grant.grantId } : {}) },
      }),

    /** The person chose not to go on (Deny, or the abort link), signed in or not yet. */
    aborted: (accountId: string | undefined, prompt: string, from: SignInSource) =>
      record(accountId ? person(accountId, from) : anonymous(from), {
        action: 'interaction.aborted',
        ...(from.clientId ? { target: `client:${from.clientId}` as const } : {}),
        details: { ...app(from), prompt },
      }),
  };
}

export type SignInEvents = ReturnType<typeof createSignInEvents>;
