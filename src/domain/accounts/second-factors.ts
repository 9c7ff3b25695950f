// Second factors: a person's authenticator app (TOTP) and recovery codes. The account page enrols,
// regenerates and removes them; the sign-in's second step and the account page check codes here;
// admins list and reset them. Every code checked counts like a password: a wrong one is a failed
// sign-in for the person's email and the request's address (the sign-in throttle), so a lockout
// covers passwords and codes together, and a locked account has no code checked at all.
//
// At rest: the app's secret is sealed (SecretBox, like client secrets and signing keys) and
// recovery codes are keyed digests (SecretBox.digests), so a copied database yields neither.
import { randomUUID } from 'node:crypto';
import type { PasskeyRecord } from '../../db/passkey-repository.js';
import type { SecondFactorRepository } from '../../db/second-factor-repository.js';
import type { AuditRecorder, By } from '../audit/actions.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { FailureOutcome } from '../throttling/sign-in-throttle.js';
import { TooManyAttemptsError } from './account-service.js';
import type { SecondFactorMethod } from './authentication-methods.js';
import { newRecoveryCodes, normalizeRecoveryCode } from './recovery-codes.js';
import { groupedKey, matchingStep, newTotpSecret, totpUri } from './totp.js';

/** A code that did not work (wrong, or already used): the same error, whatever the reason. */
export class WrongCodeError extends ValidationError {
  constructor(
    /** Milliseconds the account or address is now locked for (0: not locked). */
    readonly lockedForMs = 0,
  ) {
    super('the code is not correct', 'code');
  }
}

/** The sign-in throttle's counting (its keys: the email and the address). */
export interface CodeAttempts {
  waitFor(email: string, address: string): Promise<number>;
  failed(email: string, address: string): Promise<FailureOutcome>;
  succeeded(email: string): Promise<void>;
}

export interface SecondFactorOptions {
  repository: SecondFactorRepository;
  box: SecretBox;
  audit: AuditRecorder;
  attempts: CodeAttempts;
  users: { findById(id: string): Promise<{ id: string; email: string } | undefined> };
  /** The person's passkeys, for the admins' overview (the reset removes them too). */
  passkeys?: { list(userId: string): Promise<PasskeyRecord[]> };
  /** The issuer URL: its host names Sesame in the authenticator app. */
  issuer: string;
  now?: () => Date;
}

/** An enrolment under way: what the page shows. */
export interface Enrolment {
  /** The secret, base32: the QR code's otpauth URI carries it, and the page prints it grouped. */
  secret: string;
  groupedKey: string;
  uri: string;
}

/** What a person has, for the account page, the console and the admin API. */
export interface SecondFactorStatus {
  totp: { confirmedAt: Date; createdAt: Date } | null;
  /** An authenticator app added but not confirmed with a code yet. */
  enrolling: boolean;
  recoveryCodesLeft: number;
}

/** A passkey as the admins see it: never its key or credential id. */
export interface PasskeySummary {
  id: string;
  name: string;
  deviceType: string;
  backedUp: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** Every second factor of a person, for the console, the admin API and the CLI. */
export interface FactorOverview extends SecondFactorStatus {
  passkeys: PasskeySummary[];
}

/** What an admin's reset removed. */
export interface FactorReset {
  totp: boolean;
  recoveryCodes: number;
  passkeys: { id: string; name: string }[];
}

/** Where a code was typed: the sign-in's second step, or the account page. */
export type CodeContext = 'sign_in' | 'account';

const purpose = (userId: string) => `totp-secret:${userId}`;
const RECOVERY = 'recovery-code';
const target = (userId: string) => `user:${userId}` as const;

export function createSecondFactorService(options: SecondFactorOptions) {
  const { repository, box, audit, attempts, users } = options;
  const now = options.now ?? (() => new Date());
  const issuerName = new URL(options.issuer).host;

  async function person(userId: string) {
    const user = await users.findById(userId);
    if (!user) throw new NotFoundError(`no user with id ${userId}`);
    return user;
  }

  async function secretOf(userId: string, sealed: string): Promise<string> {
    const secret = await box.open(sealed, purpose(userId));
    // Sealed under an older KEY_ENCRYPTION_SECRET: sealed again under the current one.
    if (box.isStale(sealed)) await repository.updateSecret(userId, await box.seal(secret, purpose(userId)));
    return secret;
  }

  async function issueRecoveryCodes(userId: string): Promise<string[]> {
    const codes = newRecoveryCodes();
    await repository.replaceRecoveryCodes(
      userId,
      codes.map((code) => ({ id: randomUUID(), codeHash: box.digests(`${userId}\n${normalizeRecoveryCode(code)!}`, RECOVERY)[0]! })),
    );
    return codes;
  }

  /**
   * Checks a code under the sign-in throttle. `confirm`: the enrolment's first code. Throws
   * TooManyAttemptsError (nothing checked) or WrongCodeError; resolves when the code worked.
   */
  async function check(userId: string, method: 'totp' | 'recovery_code', typed: string, by: By, context: CodeContext, confirm = false): Promise<void> {
    const user = await person(userId);
    const address = by.sourceAddress ?? '';
    const fail = async (reason: 'wrong_code' | 'replayed') => {
      const outcome = await attempts.failed(user.email, address);
      await audit.record(by, { action: 'user.second_factor_failed', target: target(userId), details: { method, context, reason } });
      if (outcome.accountLockedFor > 0) {
        await audit.record(by, { action: 'user.locked', target: target(userId), details: { locked_for: Math.ceil(outcome.accountLockedFor / 1000) } });
      }
      throw new WrongCodeError(Math.max(outcome.accountLockedFor, outcome.addressLockedFor));
    };

    const wait = await attempts.waitFor(user.email, address);
    if (wait > 0) {
      await audit.record(by, {
        action: 'user.second_factor_failed',
        target: target(userId),
        details: { method, context, reason: 'throttled', retry_after: Math.ceil(wait / 1000) },
      });
      throw new TooManyAttemptsError(wait);
    }

    const at = now();
    if (method === 'totp') {
      const factor = await repository.findTotp(userId);
      if (!factor || (factor.confirmedAt === null) !== confirm) return fail('wrong_code');
      const step = matchingStep(await secretOf(userId, factor.secretEncrypted), typed, at);
      if (step === undefined) return fail('wrong_code');
      if (!(await repository.acceptStep(userId, step, confirm, at))) return fail('replayed');
    } else {
      const code = normalizeRecoveryCode(typed);
      if (!code || !(await repository.useRecoveryCode(userId, box.digests(`${userId}\n${code}`, RECOVERY), at))) return fail('wrong_code');
      const remaining = await repository.countUnusedRecoveryCodes(userId);
      await audit.record(by, { action: 'user.recovery_code_used', target: target(userId), details: { context, remaining } });
    }
    // A code that worked ends the account's run of failures, as a correct password does.
    await attempts.succeeded(user.email);
  }

  return {
    async status(userId: string): Promise<SecondFactorStatus> {
      const factor = await repository.findTotp(userId);
      const confirmed = factor?.confirmedAt ? { confirmedAt: factor.confirmedAt, createdAt: factor.createdAt } : null;
      return {
        totp: confirmed,
        enrolling: factor !== null && !confirmed,
        recoveryCodesLeft: confirmed ? await repository.countUnusedRecoveryCodes(userId) : 0,
      };
    },

    /**
     * The second factors the sign-in asks for after the password (none: the password is enough).
     * Recovery codes stand in for the app; they are not asked for on their own.
     */
    async required(userId: string): Promise<SecondFactorMethod[]> {
      const factor = await repository.findTotp(userId);
      return factor?.confirmedAt ? ['totp', 'recovery_code'] : [];
    },

    /** Starts adding an authenticator app (a new secret, replacing an unfinished one); undefined when the person has one. */
    async startEnrolment(userId: string): Promise<Enrolment | undefined> {
      const user = await person(userId);
      const secret = newTotpSecret();
      if (!(await repository.startTotp(userId, await box.seal(secret, purpose(userId))))) return undefined;
      return { secret, groupedKey: groupedKey(secret), uri: totpUri(secret, user.email, issuerName) };
    },

    /** The enrolment under way, to show again (a reload, a wrong code). */
    async pendingEnrolment(userId: string): Promise<Enrolment | undefined> {
      const factor = await repository.findTotp(userId);
      if (!factor || factor.confirmedAt) return undefined;
      const user = await person(userId);
      const secret = await secretOf(userId, factor.secretEncrypted);
      return { secret, groupedKey: groupedKey(secret), uri: totpUri(secret, user.email, issuerName) };
    },

    /** Confirms the app with a code from it; returns the new recovery codes (to show once). */
    async confirmEnrolment(userId: string, code: string, by: By): Promise<string[]> {
      await check(userId, 'totp', code, by, 'account', true);
      const codes = await issueRecoveryCodes(userId);
      await audit.record(by, { action: 'user.totp_enrolled', target: target(userId), details: { recovery_codes: codes.length } });
      return codes;
    },

    /** A second factor at sign-in, or on the account page: resolves when it worked. */
    verify(userId: string, method: SecondFactorMethod, code: string, by: By, context: CodeContext): Promise<void> {
      // A passkey is checked by passkeys.ts (a WebAuthn answer), never as a typed code.
      if (method === 'passkey') return Promise.reject(new WrongCodeError());
      return check(userId, method, code, by, context);
    },

    /** New recovery codes (the old ones stop working), for a current code from the app. */
    async regenerateRecoveryCodes(userId: string, code: string, by: By): Promise<string[]> {
      await check(userId, 'totp', code, by, 'account');
      const codes = await issueRecoveryCodes(userId);
      await audit.record(by, { action: 'user.recovery_codes_generated', target: target(userId), details: { count: codes.length } });
      return codes;
    },

    /** Removes the authenticator app and the recovery codes (the caller checked the password). */
    async removeTotp(userId: string, by: By): Promise<void> {
      const removed = await repository.deleteAll(userId);
      if (removed.totp) await audit.record(by, { action: 'user.totp_removed', target: target(userId) });
    },

    /** Every second factor of a person (admins: console, API, CLI); NotFoundError for no such person. */
    async overview(userId: string): Promise<FactorOverview> {
      await person(userId);
      const [state, passkeys] = await Promise.all([this.status(userId), options.passkeys?.list(userId) ?? Promise.resolve([])]);
      return {
        ...state,
        passkeys: passkeys.map((p) => ({
          id: p.id,
          name: p.name,
          deviceType: p.deviceType,
          backedUp: p.backedUp,
          createdAt: p.createdAt,
          lastUsedAt: p.lastUsedAt,
        })),
      };
    },

    /**
     * An admin's reset: every second factor of the person goes (the app, the recovery codes and the
     * passkeys); they sign in with the password alone. The console, the admin API and the CLI call this.
     */
    async reset(userId: string, by: By): Promise<FactorReset> {
      const user = await person(userId);
      const removed = await repository.deleteEverything(userId);
      await audit.record(by, {
        action: 'user.second_factors_reset',
        target: target(userId),
        details: {
          email: user.email,
          totp: removed.totp,
          recovery_codes: removed.recoveryCodes,
          webauthn_keys: removed.passkeys.map((p) => ({ key_id: p.id, name: p.name })),
        },
      });
      return removed;
    },
  };
}

export type SecondFactorService = ReturnType<typeof createSecondFactorService>;
