// People who sign in. The CLI, the admin API, the console and the sign-in pages all go through
// this service, and it records every change it makes in the audit log, by whoever the caller says.
import { randomUUID } from 'node:crypto';
import type { ChangeAnnouncer } from '../../db/change-feed.js';
import type { UserRecord, UserRepository } from '../../db/user-repository.js';
import { UniqueViolation } from '../../db/user-repository.js';
import {
  applyAttributeChanges,
  changedAttributeKeys,
  checkAttributeChanges,
  parseStoredAttributes,
  type AttributeChanges,
  type Attributes,
} from '../claims/attributes.js';
import { SYSTEM, type AuditRecorder, type By, type UserTarget } from '../audit/actions.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { ReadThroughCache } from '../read-through-cache.js';
import { isPlainText, NOT_PLAIN_TEXT } from '../text.js';
import { checkPassword, createPasswordHasher, type PasswordHasher } from './password.js';
import type { Revocation } from './user-sessions.js';

/** A wrong current password when changing it: counted like a failed sign-in. */
export class WrongPasswordError extends ValidationError {
  constructor() {
    super('the current password is not correct', 'current_password');
  }
}

/** Too many wrong passwords for this account or from this address: nothing was checked. */
export class TooManyAttemptsError extends Error {
  override name = 'TooManyAttemptsError';
  constructor(readonly retryAfterMs: number) {
    super(`too many attempts; try again in ${Math.ceil(retryAfterMs / 1000)} seconds`);
  }
}

/** The sign-in throttle's counting, which a password change shares (same keys: email and address). */
export interface PasswordAttempts {
  waitFor(email: string, address: string): Promise<number>;
  failed(email: string, address: string): Promise<unknown>;
  succeeded(email: string): Promise<void>;
}

export interface User {
  id: string;
  email: string;
  name: string | null;
  emailVerified: boolean;
  disabled: boolean;
  isAdmin: boolean;
  /** Custom attributes, what per-app extra claims are taken from (claims/attributes.ts). */
  attributes: Attributes;
  createdAt: Date;
}

export interface NewUserInput {
  email: string;
  password: string;
  name?: string;
  emailVerified?: boolean;
  isAdmin?: boolean;
  /** Created by sign-up: cannot sign in until the address is verified (verifyEmail). */
  signupPending?: boolean;
}

export interface UserChanges {
  /** A new sign-in email: lower-cased and checked like a new user's; refused when taken. */
  email?: string;
  name?: string | null;
  emailVerified?: boolean;
  isAdmin?: boolean;
  /** Attributes to set (a value) or remove (null); the others stay. */
  attributes?: AttributeChanges;
}

/** Standard claims per scope, as the provider's `claims` option expects them. */
export const CLAIMS_BY_SCOPE = {
  openid: ['sub'],
  profile: ['name'],
  email: ['email', 'email_verified'],
} as const;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_EMAIL_LENGTH = 254;
const MAX_NAME_LENGTH = 200;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The normalised address when `value` is a plausible email address; undefined otherwise. */
export function asEmailAddress(value: string): string | undefined {
  const email = normalizeEmail(value);
  return EMAIL.test(email) && email.length <= MAX_EMAIL_LENGTH && isPlainText(email) ? email : undefined;
}

const target = (id: string): UserTarget => `user:${id}`;

/** The fields a change may touch, as the audit log (and the admin API) names them. */
const CHANGEABLE = { email: 'email', name: 'name', emailVerified: 'email_verified', isAdmin: 'is_admin' } as const;

function toUser(record: UserRecord): User {
  const { id, email, name, emailVerified, disabled, isAdmin, createdAt } = record;
  return { id, email, name, emailVerified, disabled, isAdmin, attributes: parseStoredAttributes(record.attributes), createdAt };
}

/** The normalised address, or a ValidationError on the email field. */
function checkEmail(value: string): string {
  const email = asEmailAddress(value);
  if (email) return email;
  // A value that is not even text is not echoed: it may not print.
  const message = isPlainText(value.trim()) ? `email "${value}" is not a valid email address` : `email ${NOT_PLAIN_TEXT}`;
  throw new ValidationError(message, 'email');
}

export function checkName(name: string | null): string | null {
  const trimmed = name?.trim() || null;
  if (trimmed && !isPlainText(trimmed)) throw new ValidationError(`name ${NOT_PLAIN_TEXT}`, 'name');
  if (trimmed && trimmed.length > MAX_NAME_LENGTH) {
    throw new ValidationError(`name must be at most ${MAX_NAME_LENGTH} characters`, 'name');
  }
  return trimmed;
}

/** Sign-in lockouts by email (the sign-in throttle's), which an admin may lift. */
export interface Lockouts {
  /** Milliseconds the account stays locked (0: not locked). */
  accountLockedFor(email: string): Promise<number>;
  unlock(email: string): Promise<void>;
}

export interface AccountServiceOptions {
  audit: AuditRecorder;
  /** Ends a person's sessions and grants (with their tokens); run when they are disabled or deleted. */
  endSessions?: (accountId: string) => Promise<Revocation>;
  lockouts?: Lockouts;
  /** Removes the person's second factors (authenticator app, recovery codes): they are gone. */
  forgetSecondFactors?: (accountId: string) => Promise<unknown>;
  /** Voids the person's mailed links (reset, invitation, verification): their password changed or they are gone. */
  voidLinks?: (accountId: string) => Promise<unknown>;
  /** Counts wrong current passwords on a password change (the sign-in throttle); none: not counted. */
  attempts?: PasswordAttempts;
  /**
   * After a person changed their own password: ends their other sessions and the grants (with
   * refresh tokens) that the session they are using does not hold. `keepSessionUid` stays.
   */
  endOtherSessions?: (accountId: string, keepSessionUid: string | undefined) => Promise<Revocation>;
  /** argon2id with bounded concurrency; default: two at a time. */
  hasher?: PasswordHasher;
  /** Tells the other instances (and this one's cache) that an account changed; no-op when absent. */
  changes?: ChangeAnnouncer;
  /** Active accounts kept in memory for the provider (default 10,000 for 30 seconds at most). */
  cache?: { max: number; ttlMs: number };
}

const DEFAULT_CACHE = { max: 10_000, ttlMs: 30_000 };

export function createAccountService(users: UserRepository, options: AccountServiceOptions) {
  const { audit } = options;
  const noSessionsEnded: Revocation = { revoked_sessions: 0, revoked_grants: 0 };
  const endSessions = options.endSessions ?? (async () => noSessionsEnded);
  // The provider looks the account up on every userinfo, refresh and ID token. A change (disabled,
  // deleted, renamed) drops it here at once and on the other instances when they hear of it.
  const active = new ReadThroughCache<User>(options.cache ?? DEFAULT_CACHE);

  async function accountChanged(id: string): Promise<void> {
    active.forget(id);
    await options.changes?.announce('accounts');
  }

  async function remove(record: UserRecord, by: By): Promise<Revocation> {
    if (!(await users.deleteById(record.id))) throw new NotFoundError(`no user with id ${record.id}`);
    await accountChanged(record.id);
    await options.voidLinks?.(record.id);
    await options.forgetSecondFactors?.(record.id);
    const revoked = await endSessions(record.id);
    await audit.record(by, { action: 'user.deleted', target: target(record.id), details: { email: record.email, ...revoked } });
    return revoked;
  }

  // Compared against when the email is unknown, so that both failures take as long.
  let decoyHash: Promise<string> | undefined;
  const hasher = options.hasher ?? createPasswordHasher(2);
  const decoy = () => {
    decoyHash ??= hasher.hash('decoy password for unknown emails');
    // A refused first attempt (Busy) must not leave a rejected promise cached for good.
    decoyHash.catch(() => (decoyHash = undefined));
    return decoyHash;
  };

  /**
   * The person's record when `current` is their password, checked under the sign-in throttle (a
   * wrong one counts as a failed sign-in for their email and `by.sourceAddress`); the refusal is
   * recorded as `failure`. Throws TooManyAttemptsError (nothing checked) or WrongPasswordError.
   */
  async function checkCurrentPassword(
    id: string,
    current: string,
    by: By,
    failure: 'user.password_change_failed' | 'user.password_check_failed',
  ): Promise<UserRecord> {
    const record = await users.findById(id);
    if (!record || record.disabled) throw new NotFoundError(`no user with id ${id}`);
    const address = by.sourceAddress ?? '';
    const wait = (await options.attempts?.waitFor(record.email, address)) ?? 0;
    if (wait > 0) {
      await audit.record(by, { action: failure, target: target(id), details: { reason: 'throttled', retry_after: Math.ceil(wait / 1000) } });
      throw new TooManyAttemptsError(wait);
    }
    // No password yet (invited) cannot be "current"; it fails like a wrong one.
    if (!record.passwordHash || !(await hasher.verify(record.passwordHash, current))) {
      await options.attempts?.failed(record.email, address);
      await audit.record(by, { action: failure, target: target(id), details: { reason: 'wrong_password' } });
      throw new WrongPasswordError();
    }
    await options.attempts?.succeeded(record.email);
    return record;
  }

  // Every change takes `by`, who asked for it (from the CLI, the admin API or the console); without
  // it the change is the system's.
  return {
    /** Drops every cached account (another instance changed one). */
    forgetCached(): void {
      active.forgetAll();
    },

    async create(input: NewUserInput, by: By = SYSTEM): Promise<User> {
      const email = checkEmail(input.email);
      const name = checkName(input.name ?? null);
      await checkPassword(input.password, { email, name });
      const passwordHash = await hasher.hash(input.password);
      try {
        const record = await users.create({
          id: randomUUID(),
          email,
          name,
          emailVerified: input.emailVerified ?? false,
          passwordHash,
          isAdmin: input.isAdmin ?? false,
          ...(input.signupPending ? { signupPending: true } : {}),
        });
        await audit.record(by, { action: 'user.created', target: target(record.id), details: { email, is_admin: record.isAdmin } });
        return toUser(record);
      } catch (error) {
        if (error instanceof UniqueViolation) throw new ConflictError(`a user with email ${email} already exists`);
        throw error;
      }
    },

    /**
     * A mailed verification link for `email` was used: the address is the person's. When it is not
     * their current one (an email change) it becomes it, if no other account took it meanwhile
     * (ConflictError). Ends a sign-up's wait, so the account can sign in.
     */
    async verifyEmail(id: string, email: string, by: By = SYSTEM): Promise<{ user: User; changedFrom?: string }> {
      const before = await users.findById(id);
      if (!before) throw new NotFoundError(`no user with id ${id}`);
      const changing = before.email !== email;
      let record: UserRecord | null;
      try {
        record = await users.update(id, { ...(changing ? { email } : {}), emailVerified: true, signupPending: false });
      } catch (error) {
        if (error instanceof UniqueViolation) throw new ConflictError(`a user with email ${email} already exists`);
        throw error;
      }
      if (!record) throw new NotFoundError(`no user with id ${id}`);
      await accountChanged(id);
      if (changing) {
        await audit.record(by, { action: 'user.email_changed', target: target(id), details: { from: before.email, to: email } });
        return { user: toUser(record), changedFrom: before.email };
      }
      await audit.record(by, { action: 'user.email_verified', target: target(id), details: { email, signup: before.signupPending } });
      return { user: toUser(record) };
    },

    /** Spends on `password` what create() does (an argon2id hash): an answer that creates nothing takes as long. */
    async hashAndForget(password: string): Promise<void> {
      await hasher.hash(password);
    },

    /**
     * The account id for a correct email and password of a user who is not disabled; undefined
     * otherwise, in the same time (a disabled account looks like a wrong password).
     */
    async authenticate(email: string, password: string): Promise<{ accountId: string; isAdmin: boolean } | undefined> {
      const record = await users.findForSignIn(normalizeEmail(email));
      const hash = record?.passwordHash;
      // No password yet (invited) is checked against the decoy like an unknown email, and fails.
      const ok = await hasher.verify(hash ?? (await decoy()), password);
      // A sign-up not verified yet fails like a wrong password: a "verify first" answer would tell
      // whoever signed up with someone else's address whether it had an account already.
      return record && hash && ok && !record.disabled && !record.signupPending ? { accountId: record.id, isAdmin: record.isAdmin } : undefined;
    },

    /** A user who may sign in (not disabled): the provider's findAccount uses this. */
    async findActive(id: string): Promise<User | undefined> {
      return active.get(id, async () => {
        const record = await users.findById(id);
        return record && !record.disabled ? toUser(record) : undefined;
      });
    },

    async findById(id: string): Promise<User | undefined> {
      const record = await users.findById(id);
      return record ? toUser(record) : undefined;
    },

    async get(id: string): Promise<User> {
      const record = await users.findById(id);
      if (!record) throw new NotFoundError(`no user with id ${id}`);
      return toUser(record);
    },

    async findByEmail(email: string): Promise<User | undefined> {
      const record = await users.findByEmail(normalizeEmail(email));
      return record ? toUser(record) : undefined;
    },

    /** Users whose email contains `search`, `limit` at a time; `cursor` is the last id of a page. */
    async page(options: { search?: string; limit?: number; cursor?: string } = {}): Promise<{ users: User[]; next_cursor: string | null }> {
      const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
      const records = await users.page({
        limit: limit + 1,
        ...(options.search ? { search: options.search } : {}),
        ...(options.cursor ? { afterId: options.cursor } : {}),
      });
      const page = records.slice(0, limit);
      return { users: page.map(toUser), next_cursor: records.length > limit ? page.at(-1)!.id : null };
    },

    async update(id: string, changes: UserChanges, by: By = SYSTEM): Promise<User> {
      const data = {
        ...(changes.email !== undefined ? { email: checkEmail(changes.email) } : {}),
        ...(changes.name !== undefined ? { name: checkName(changes.name) } : {}),
        ...(changes.emailVerified !== undefined ? { emailVerified: changes.emailVerified } : {}),
        // An admin vouching for the address ends a sign-up's wait for its link.
        ...(changes.emailVerified === true ? { signupPending: false } : {}),
        ...(changes.isAdmin !== undefined ? { isAdmin: changes.isAdmin } : {}),
      };
      const before = await users.findById(id);
      if (!before) throw new NotFoundError(`no user with id ${id}`);
      const attributesBefore = parseStoredAttributes(before.attributes);
      if (changes.attributes !== undefined) {
        const next = applyAttributeChanges(attributesBefore, checkAttributeChanges(changes.attributes));
        if (changedAttributeKeys(attributesBefore, next).length > 0) Object.assign(data, { attributes: JSON.stringify(next) });
      }
      // A new address is not known to be theirs until someone says so (or its link is opened).
      const unproven = data.email !== undefined && data.email !== before.email && changes.emailVerified === undefined;
      if (unproven) Object.assign(data, { emailVerified: false });
      let record;
      try {
        // Nothing to change is no change (an UPDATE of no columns reports no row, which is not "not found").
        record = Object.keys(data).length === 0 ? before : await users.update(id, data);
      } catch (error) {
        if (error instanceof UniqueViolation) throw new ConflictError(`a user with email ${data.email} already exists`);
        throw error;
      }
      if (!record) throw new NotFoundError(`no user with id ${id}`);
      if (record !== before) await accountChanged(id);
      const changed: string[] = (Object.keys(CHANGEABLE) as (keyof typeof CHANGEABLE)[])
        .filter((field) => before[field] !== record[field])
        .map((field) => CHANGEABLE[field]);
      // Attribute names only: their values may be anything an app needs, and the log keeps no data.
      const attributeKeys = changedAttributeKeys(attributesBefore, parseStoredAttributes(record.attributes));
      if (attributeKeys.length > 0) changed.push('attributes');
      await audit.record(by, {
        action: 'user.updated',
        target: target(id),
        details: {
          changed: changed.sort(),
          email: record.email,
          is_admin: record.isAdmin,
          ...(attributeKeys.length > 0 ? { attributes_changed: attributeKeys } : {}),
        },
      });
      return toUser(record);
    },

    /** Disabling stops sign-in at once and ends the person's sessions and grants with their tokens. */
    async setDisabled(id: string, disabled: boolean, by: By = SYSTEM): Promise<{ user: User; revoked: Revocation }> {
      const record = await users.update(id, { disabled });
      if (!record) throw new NotFoundError(`no user with id ${id}`);
      await accountChanged(id);
      const { email } = record;
      if (!disabled) {
        await audit.record(by, { action: 'user.enabled', target: target(id), details: { email } });
        return { user: toUser(record), revoked: noSessionsEnded };
      }
      const revoked = await endSessions(id);
      await audit.record(by, { action: 'user.disabled', target: target(id), details: { email, ...revoked } });
      return { user: toUser(record), revoked };
    },

    async setPassword(id: string, password: string, by: By = SYSTEM): Promise<void> {
      const record = await users.findById(id);
      if (!record) throw new NotFoundError(`no user with id ${id}`);
      await checkPassword(password, record);
      if (!(await users.update(id, { passwordHash: await hasher.hash(password) }))) {
        throw new NotFoundError(`no user with id ${id}`);
      }
      // A reset link sent before this change must not undo it.
      await options.voidLinks?.(id);
      await audit.record(by, { action: 'user.password_set', target: target(id) });
    },

    /**
     * A person changes their own password (the account page): the current one must be right,
     * checked under the sign-in throttle (a lockout refuses before any hash, and each wrong
     * password counts as a failed sign-in for their email and `by.sourceAddress`), the new one must
     * pass the password rule. Then every other session of theirs ends, with the refresh tokens of
     * the grants the session `keepSessionUid` does not hold. Recorded either way, never the passwords.
     */
    async changePassword(id: string, current: string, next: string, keepSessionUid: string | undefined, by: By): Promise<Revocation> {
      const record = await checkCurrentPassword(id, current, by, 'user.password_change_failed');
      await checkPassword(next, record);
      if (!(await users.update(id, { passwordHash: await hasher.hash(next) }))) throw new NotFoundError(`no user with id ${id}`);
      await options.voidLinks?.(id);
      const revoked = (await options.endOtherSessions?.(id, keepSessionUid)) ?? noSessionsEnded;
      await audit.record(by, { action: 'user.password_changed', target: target(id), details: { ...revoked } });
      return revoked;
    },

    /**
     * Confirms a signed-in person's own password before a sensitive change (removing a second
     * factor): throttled and recorded like a password change's current-password check.
     */
    async confirmPassword(id: string, current: string, by: By): Promise<void> {
      await checkCurrentPassword(id, current, by, 'user.password_check_failed');
    },

    async deleteById(id: string, by: By = SYSTEM): Promise<Revocation> {
      const record = await users.findById(id);
      if (!record) throw new NotFoundError(`no user with id ${id}`);
      return remove(record, by);
    },

    /**
     * Lifts a sign-in lockout (too many wrong passwords) and forgets the failures. An unlock is an
     * admin's change to an account, so it is here; the counting itself is the sign-in throttle's.
     */
    async unlock(id: string, by: By = SYSTEM): Promise<{ user: User; wasLocked: boolean }> {
      const record = await users.findById(id);
      if (!record) throw new NotFoundError(`no user with id ${id}`);
      if (!options.lockouts) throw new Error('sign-in lockouts are not wired in this process');
      const wasLocked = (await options.lockouts.accountLockedFor(record.email)) > 0;
      await options.lockouts.unlock(record.email);
      await audit.record(by, { action: 'user.unlocked', target: target(id), details: { email: record.email, was_locked: wasLocked } });
      return { user: toUser(record), wasLocked };
    },

    /**
     * A person without a password (invited): they cannot sign in until they choose one through
     * their invitation link (src/domain/accounts/invitations.ts sends it).
     */
    async invite(input: Omit<NewUserInput, 'password' | 'emailVerified'>, by: By = SYSTEM): Promise<User> {
      const email = asEmailAddress(input.email);
      if (!email) {
        const message = isPlainText(input.email.trim()) ? `email "${input.email}" is not a valid email address` : `email ${NOT_PLAIN_TEXT}`;
        throw new ValidationError(message, 'email');
      }
      const name = checkName(input.name ?? null);
      try {
        const record = await users.create({ id: randomUUID(), email, name, emailVerified: false, passwordHash: null, isAdmin: input.isAdmin ?? false });
        await audit.record(by, { action: 'user.invited', target: target(record.id), details: { email, is_admin: record.isAdmin } });
        return toUser(record);
      } catch (error) {
        if (error instanceof UniqueViolation) throw new ConflictError(`a user with email ${email} already exists`);
        throw error;
      }
    },

    /** Whether the person has chosen a password (false: invited, not yet accepted); undefined: no such person. */
    /** What may stand between the person and signing in (an explanation of access reads it). */
    async standing(id: string): Promise<{ disabled: boolean; signupPending: boolean; hasPassword: boolean } | undefined> {
      const record = await users.findById(id);
      return record ? { disabled: record.disabled, signupPending: record.signupPending, hasPassword: record.passwordHash !== null } : undefined;
    },

    async hasPassword(id: string): Promise<boolean | undefined> {
      const record = await users.findById(id);
      return record ? record.passwordHash !== null : undefined;
    },

    /**
     * Sets the password a person chose through a mailed link (`sentTo`: the address it went to,
     * which must still be theirs). The link proves they receive mail there, so the email counts
     * as verified. A reset also ends every session and grant (with their tokens) and lifts the
     * sign-in lockout of the email; an accepted invitation had none. Voids the person's other links.
     */
    async setPasswordFromLink(
      id: string,
      sentTo: string,
      password: string,
      kind: 'password_reset' | 'invitation',
      by: By = SYSTEM,
    ): Promise<{ user: User; revoked: Revocation }> {
      const before = await users.findById(id);
      if (!before || before.disabled || before.email !== sentTo) throw new NotFoundError('the link is no longer valid');
      await checkPassword(password, before);
      // The link reached this address: it is verified, and a sign-up waiting for that proof is done.
      const record = await users.update(id, { passwordHash: await hasher.hash(password), emailVerified: true, signupPending: false });
      if (!record) throw new NotFoundError('the link is no longer valid');
      await accountChanged(id);
      await options.voidLinks?.(id);
      const { email } = record;
      if (kind === 'invitation') {
        await audit.record(by, { action: 'user.invitation_accepted', target: target(id), details: { email } });
        return { user: toUser(record), revoked: noSessionsEnded };
      }
      const revoked = await endSessions(id);
      await options.lockouts?.unlock(email);
      await audit.record(by, { action: 'user.password_reset', target: target(id), details: { email, ...revoked } });
      return { user: toUser(record), revoked };
    },

    async list(): Promise<User[]> {
      return (await users.list()).map(toUser);
    },

    /** id → email for the users among `ids` that still exist, in one query (the audit page's names). */
    emailsOf(ids: string[]): Promise<Map<string, string>> {
      return users.emailsOf(ids);
    },

    async delete(email: string, by: By = SYSTEM): Promise<Revocation> {
      const record = await users.findByEmail(normalizeEmail(email));
      // Never echo input that is not text (it may not print); an email that cannot exist is "that email".
      if (!record) throw new NotFoundError(`no user with email ${isPlainText(email) ? normalizeEmail(email) : '(not a valid email)'}`);
      return remove(record, by);
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
