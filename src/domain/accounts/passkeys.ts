// Passkeys (WebAuthn, through @simplewebauthn/server): a person adds them on the account page and
// signs in with one instead of a password (a discoverable credential: no email typed).
//
// - Relying party: the RP ID is the issuer's host and the only origin accepted is the issuer's
//   origin. A passkey is bound to its RP ID by the authenticator, so a passkey made for
//   id.example.com works only while the issuer's host is id.example.com (see the README).
// - Attestation 'none': Sesame does not ask which make of authenticator it is.
// - User verification (PIN, fingerprint, face) is required when adding and when signing in, so a
//   passkey is something the person has and something they know or are: multi-factor (amr 'mfa').
// - The signature counter must go up on every use; a counter that does not (a cloned
//   authenticator) is refused. Authenticators that keep no counter always report 0, and 0 after 0
//   is accepted.
// - Challenges are single-use and short-lived: the browser holds a random token in an HttpOnly
//   cookie, the database its SHA-256 with the challenge and what it is for (this person adding a
//   passkey, or this sign-in interaction). Verifying takes the row first; a second answer finds none.
import { createHash, randomBytes } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { PasskeyRecord, PasskeyRepository } from '../../db/passkey-repository.js';
import type { AuditRecorder, By } from '../audit/actions.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { passkeyAcr, passkeyAmr } from './authentication-methods.js';

/** How long a ceremony may take, from the options to the answer. */
export const CHALLENGE_LIFETIME_MS = 5 * 60 * 1000;
/** The longest name a person may give a passkey. */
export const MAX_PASSKEY_NAME_LENGTH = 100;
/** Most passkeys one person may have. */
export const MAX_PASSKEYS = 20;

// The ID token's amr and acr after a passkey (authentication-methods.ts, beside the other ways).
export { passkeyAcr, passkeyAmr };

/** Why a passkey was not accepted: for the audit log; the page says the same whatever it was. */
export type PasskeyFailure =
  'challenge' | 'malformed' | 'unknown_credential' | 'verification' | 'counter' | 'user_handle' | 'disabled' | 'too_many' | 'other_person' | 'none';

export class PasskeyError extends Error {
  override name = 'PasskeyError';
  constructor(
    readonly reason: PasskeyFailure,
    message: string,
    /** The person whose passkey it was, when the credential was known. */
    readonly userId?: string,
  ) {
    super(message);
  }
}

export interface PasskeyPerson {
  id: string;
  email: string;
  name: string | null;
}

export interface PasskeyServiceOptions {
  repository: PasskeyRepository;
  /** Who may sign in: undefined for a disabled (or removed) person. */
  accounts: { findActive(id: string): Promise<PasskeyPerson | undefined> };
  audit: AuditRecorder;
  issuer: string;
  now?: () => Date;
  challengeLifetimeMs?: number;
}

/** What the browser needs to start a ceremony, and the token its cookie keeps. */
export interface Ceremony<Options> {
  token: string;
  options: Options;
}

export interface PasskeySignIn {
  accountId: string;
  passkey: PasskeyRecord;
  amr: string[];
  acr: string;
}

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** A passkey's name as stored: trimmed, one line, not empty, not too long. */
export function checkPasskeyName(name: string): string {
  const clean = name.replace(/\s+/g, ' ').trim();
  if (clean === '' || clean.length > MAX_PASSKEY_NAME_LENGTH || /[\p{Cc}\p{Cf}]/u.test(clean)) {
    throw new ValidationError(`a passkey's name is 1 to ${MAX_PASSKEY_NAME_LENGTH} characters`);
  }
  return clean;
}

/** The browser's answer, as posted (JSON text), in the shape the library reads; otherwise a PasskeyError. */
function parseResponse<T>(text: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PasskeyError('malformed', 'the passkey answer is not JSON');
  }
  const v = value as { id?: unknown; rawId?: unknown; type?: unknown; response?: unknown };
  if (typeof value !== 'object' || value === null || typeof v.id !== 'string' || typeof v.rawId !== 'string' || v.type !== 'public-key') {
    throw new PasskeyError('malformed', 'the passkey answer has not the shape of a credential');
  }
  if (typeof v.response !== 'object' || v.response === null) throw new PasskeyError('malformed', 'the passkey answer has no response');
  if (v.id.length > 1400) throw new PasskeyError('malformed', 'the credential id is too long');
  return value as T;
}

export function createPasskeyService(options: PasskeyServiceOptions) {
  const { repository, accounts, audit } = options;
  const now = options.now ?? (() => new Date());
  const lifetime = options.challengeLifetimeMs ?? CHALLENGE_LIFETIME_MS;
  const issuer = new URL(options.issuer);
  const rpID = issuer.hostname;
  const origin = issuer.origin;
  const target = (userId: string) => `user:${userId}` as const;

  async function newChallenge(purpose: 'registration' | 'authentication', subject: string, challenge: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await repository.saveChallenge({ id: digest(token), purpose, subject, challenge, expiresAt: new Date(now().getTime() + lifetime) });
    return token;
  }

  /** The challenge the token stands for, taken (deleted) so it is answered once; it must be for this purpose and subject. */
  async function takeChallenge(token: string | undefined, purpose: string, subject: string): Promise<string> {
    const record = token && TOKEN.test(token) ? await repository.takeChallenge(digest(token), now()) : undefined;
    if (!record || record.purpose !== purpose || record.subject !== subject) {
      throw new PasskeyError('challenge', 'no live challenge for this ceremony (expired, used, or from another browser)');
    }
    return record.challenge;
  }

  return {
    rpID,
    origin,

    /** Options for adding a passkey: discoverable, user verification required, none the person has already. */
    async startRegistration(person: PasskeyPerson): Promise<Ceremony<PublicKeyCredentialCreationOptionsJSON>> {
      const existing = await repository.listFor(person.id);
      if (existing.length >= MAX_PASSKEYS) throw new PasskeyError('too_many', `at most ${MAX_PASSKEYS} passkeys`, person.id);
      const creation = await generateRegistrationOptions({
        rpName: 'Sesame',
        rpID,
        userName: person.email,
        // The user handle: the person's random, stable id (no personal data in it).
        userID: new TextEncoder().encode(person.id),
        userDisplayName: person.name ?? person.email,
        attestationType: 'none',
        excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
        authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
        timeout: lifetime,
      });
      return { token: await newChallenge('registration', target(person.id), creation.challenge), options: creation };
    },

    /** Checks the browser's answer to startRegistration and stores the passkey under `name`. */
    async finishRegistration(person: PasskeyPerson, token: string | undefined, responseText: string, name: string, by: By): Promise<PasskeyRecord> {
      const cleanName = checkPasskeyName(name);
      const expectedChallenge = await takeChallenge(token, 'registration', target(person.id));
      const response = parseResponse<RegistrationResponseJSON>(responseText);
      let info;
      try {
        const verified = await verifyRegistrationResponse({
          response,
          expectedChallenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          requireUserVerification: true,
        });
        if (!verified.verified) throw new Error('not verified');
        info = verified.registrationInfo;
      } catch (error) {
        throw new PasskeyError('verification', `the new passkey was not accepted: ${(error as Error).message}`, person.id);
      }
      if (!info.userVerified) throw new PasskeyError('verification', 'the authenticator did not verify the person', person.id);
      if (await repository.findByCredentialId(info.credential.id)) throw new PasskeyError('verification', 'this passkey is registered already', person.id);
      if ((await repository.countFor(person.id)) >= MAX_PASSKEYS) throw new PasskeyError('too_many', `at most ${MAX_PASSKEYS} passkeys`, person.id);
      const passkey = await repository.create({
        id: randomBytes(16).toString('base64url'),
        userId: person.id,
        credentialId: info.credential.id,
        publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
        counter: info.credential.counter,
        transports: (response.response.transports ?? []).filter((t) => typeof t === 'string').slice(0, 10),
        name: cleanName,
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
      });
      await audit.record(by, {
        action: 'passkey.added',
        target: target(person.id),
        details: { key_id: passkey.id, name: passkey.name, device_type: passkey.deviceType, backed_up: passkey.backedUp },
      });
      return passkey;
    },

    /** Options for signing in with any passkey of this RP (discoverable: no credential listed, no email asked). */
    async startAuthentication(subject: string): Promise<Ceremony<PublicKeyCredentialRequestOptionsJSON>> {
      const request = await generateAuthenticationOptions({ rpID, userVerification: 'required', timeout: lifetime });
      return { token: await newChallenge('authentication', subject, request.challenge), options: request };
    },

    /**
     * Options for a passkey as the second factor of a person whose password was just verified: only
     * their passkeys are allowed (allowCredentials), so the browser offers no one else's.
     */
    async startSecondFactor(userId: string, subject: string): Promise<Ceremony<PublicKeyCredentialRequestOptionsJSON>> {
      const own = await repository.listFor(userId);
      if (own.length === 0) throw new PasskeyError('none', 'the person has no passkey', userId);
      const request = await generateAuthenticationOptions({
        rpID,
        userVerification: 'required',
        timeout: lifetime,
        allowCredentials: own.map((p) => ({ id: p.credentialId, transports: p.transports })),
      });
      return { token: await newChallenge('authentication', subject, request.challenge), options: request };
    },

    /**
     * Checks the browser's answer to startAuthentication (or startSecondFactor) for the same subject:
     * the challenge, the origin and RP ID, the signature with the stored key, user verification, the
     * counter, the user handle, and that the person may sign in. Records the use. `expectedUserId`:
     * the passkey must be this person's (a second factor), checked before anything else about it.
     */
    async authenticate(token: string | undefined, subject: string, responseText: string, expectedUserId?: string): Promise<PasskeySignIn> {
      const expectedChallenge = await takeChallenge(token, 'authentication', subject);
      const response = parseResponse<AuthenticationResponseJSON>(responseText);
      const passkey = await repository.findByCredentialId(response.id);
      if (!passkey) throw new PasskeyError('unknown_credential', 'no passkey with this credential id');
      if (expectedUserId !== undefined && passkey.userId !== expectedUserId) {
        throw new PasskeyError('other_person', "the passkey is another person's, not the one whose password was given", passkey.userId);
      }
      // A discoverable credential names its person (the user handle given at registration).
      const handle = response.response.userHandle;
      if (handle !== undefined && Buffer.from(handle, 'base64url').toString('utf8') !== passkey.userId) {
        throw new PasskeyError('user_handle', "the passkey's user handle is not its person's", passkey.userId);
      }
      let info;
      try {
        const verified = await verifyAuthenticationResponse({
          response,
          expectedChallenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          credential: {
            id: passkey.credentialId,
            publicKey: Buffer.from(passkey.publicKey, 'base64url'),
            counter: passkey.counter,
            transports: passkey.transports,
          },
          requireUserVerification: true,
        });
        if (!verified.verified) throw new Error('not verified');
        info = verified.authenticationInfo;
      } catch (error) {
        const message = (error as Error).message;
        const reason: PasskeyFailure = /counter/i.test(message) ? 'counter' : 'verification';
        throw new PasskeyError(reason, `the passkey was not accepted: ${message}`, passkey.userId);
      }
      if (!info.userVerified) throw new PasskeyError('verification', 'the authenticator did not verify the person', passkey.userId);
      // Checked here as well as in the library: a counter must go up, unless it is always 0.
      if ((info.newCounter > 0 || passkey.counter > 0) && info.newCounter <= passkey.counter) {
        throw new PasskeyError('counter', `signature counter ${info.newCounter} is not above ${passkey.counter}: a cloned authenticator?`, passkey.userId);
      }
      const person = await accounts.findActive(passkey.userId);
      if (!person) throw new PasskeyError('disabled', 'the passkey belongs to a person who may not sign in', passkey.userId);
      const at = now();
      // Compare-and-set on the counter: of two answers racing with one signature, one counts.
      const recorded = await repository.recordUse(passkey.id, passkey.counter, {
        counter: info.newCounter,
        at,
        backedUp: info.credentialBackedUp,
        deviceType: info.credentialDeviceType,
      });
      if (!recorded) throw new PasskeyError('counter', 'the passkey was used at the same time elsewhere', passkey.userId);
      const used = { ...passkey, counter: info.newCounter, lastUsedAt: at, backedUp: info.credentialBackedUp, deviceType: info.credentialDeviceType };
      return { accountId: person.id, passkey: used, amr: passkeyAmr(used.deviceType), acr: passkeyAcr(used.deviceType) };
    },

    list(userId: string): Promise<PasskeyRecord[]> {
      return repository.listFor(userId);
    },

    async count(userId: string): Promise<number> {
      return repository.countFor(userId);
    },

    async rename(userId: string, id: string, name: string, by: By): Promise<PasskeyRecord> {
      const cleanName = checkPasskeyName(name);
      const before = (await repository.listFor(userId)).find((p) => p.id === id);
      const renamed = before && (await repository.rename(userId, id, cleanName));
      if (!before || !renamed) throw new NotFoundError(`no passkey ${id}`);
      await audit.record(by, { action: 'passkey.renamed', target: target(userId), details: { key_id: id, name: renamed.name, from: before.name } });
      return renamed;
    },

    async remove(userId: string, id: string, by: By): Promise<PasskeyRecord> {
      const removed = await repository.remove(userId, id);
      if (!removed) throw new NotFoundError(`no passkey ${id}`);
      await audit.record(by, { action: 'passkey.removed', target: target(userId), details: { key_id: id, name: removed.name } });
      return removed;
    },

    deleteExpiredChallenges(at: Date = now()): Promise<number> {
      return repository.deleteExpiredChallenges(at);
    },
  };
}

export type PasskeyService = ReturnType<typeof createPasskeyService>;
