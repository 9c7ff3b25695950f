// The passkey service on real databases, with a software authenticator (test/helpers/soft-authenticator.ts):
// adding a passkey and signing in with it; a challenge answers once, for its own ceremony only;
// the signature counter must go up (0 after 0 is fine); another origin or RP ID, a missing user
// verification, another person's passkey or user handle, and a disabled person are refused;
// rename and removal touch the person's own passkeys only, and deleting a person deletes theirs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContainer, type Container } from '../../src/container.js';
import type { User } from '../../src/domain/accounts/account-service.js';
import { PasskeyError, passkeyAmr, type PasskeyService } from '../../src/domain/accounts/passkeys.js';
import type { By } from '../../src/domain/audit/actions.js';
import { NotFoundError, ValidationError } from '../../src/domain/errors.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, PROVIDERS, type TestDatabase } from '../helpers/databases.js';
import { TEST_SECRETS } from '../helpers/sesame.js';
import { SoftAuthenticator } from '../helpers/soft-authenticator.js';

const ISSUER = 'https://id.example.com';
const ORIGIN = ISSUER;

describe.each(PROVIDERS)('passkeys on %s', (provider) => {
  let db: TestDatabase;
  let container: Container;
  let passkeys: PasskeyService;
  let ada: User;
  let bob: User;
  const byAda = (): By => ({ actor: `user:${ada.id}`, sourceAddress: '203.0.113.7' });

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    container = await createContainer(loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, ISSUER, ...TEST_SECRETS, PORT: '0' }), silentLogger);
    passkeys = container.passkeys;
    ada = await container.accounts.create({ email: 'ada@example.com', password: 'velvet orchard lantern', name: 'Ada' });
    bob = await container.accounts.create({ email: 'bob@example.com', password: 'granite puzzle meadow', name: 'Bob' });
  });
  afterAll(async () => {
    await container?.close();
    await db?.drop();
  });

  async function register(person: User, name: string, authenticator = new SoftAuthenticator(ORIGIN)) {
    const { token, options } = await passkeys.startRegistration(person);
    const passkey = await passkeys.finishRegistration(person, token, JSON.stringify(authenticator.register(options)), name, {
      actor: `user:${person.id}`,
    });
    return { authenticator, passkey };
  }

  async function signIn(authenticator: SoftAuthenticator, subject = 'interaction:abc', bend = {}) {
    const { token, options } = await passkeys.startAuthentication(subject);
    return passkeys.authenticate(token, subject, JSON.stringify(authenticator.authenticate(options, bend)));
  }

  it('registers with the issuer as RP (host as RP ID, resident key, user verification, attestation none) and signs in', async () => {
    const { token, options } = await passkeys.startRegistration(ada);
    expect(options.rp).toEqual({ name: 'Sesame', id: 'id.example.com' });
    expect(options.attestation).toBe('none');
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' });
    expect(Buffer.from(options.user.id, 'base64url').toString()).toBe(ada.id);
    const authenticator = new SoftAuthenticator(ORIGIN);
    const added = await passkeys.finishRegistration(ada, token, JSON.stringify(authenticator.register(options)), '  Laptop ', byAda());
    expect(added).toMatchObject({ name: 'Laptop', userId: ada.id, counter: 0, transports: ['internal'], deviceType: 'singleDevice', lastUsedAt: null });

    const request = await passkeys.startAuthentication('interaction:one');
    expect(request.options).toMatchObject({ rpId: 'id.example.com', userVerification: 'required' });
    expect(request.options.allowCredentials ?? []).toEqual([]);
    const signedIn = await passkeys.authenticate(request.token, 'interaction:one', JSON.stringify(authenticator.authenticate(request.options)));
    expect(signedIn).toMatchObject({ accountId: ada.id, amr: ['hwk', 'user', 'mfa'], acr: 'phrh' });
    const [stored] = await passkeys.list(ada.id);
    expect(stored).toMatchObject({ counter: 1 });
    expect(stored!.lastUsedAt).toBeInstanceOf(Date);

    const events = await container.audit.list({ action: 'passkey.added' });
    expect(events.events.at(0)).toMatchObject({ actor: `user:${ada.id}`, target: `user:${ada.id}`, details: { name: 'Laptop', key_id: added.id } });
    await passkeys.remove(ada.id, added.id, byAda());
  });

  it('a synced passkey signs in with swk', async () => {
    const { authenticator, passkey } = await register(ada, 'Phone', new SoftAuthenticator(ORIGIN, { synced: true }));
    expect(passkey).toMatchObject({ deviceType: 'multiDevice', backedUp: true });
    await expect(signIn(authenticator)).resolves.toMatchObject({ amr: passkeyAmr('multiDevice'), acr: 'phr' });
    expect(passkeyAmr('multiDevice')).toEqual(['swk', 'user', 'mfa']);
    await passkeys.remove(ada.id, passkey.id, byAda());
  });

  it('a challenge is answered once, for its own ceremony, before it expires', async () => {
    const { authenticator, passkey } = await register(ada, 'Key');
    const { token, options } = await passkeys.startAuthentication('interaction:x');
    const answer = JSON.stringify(authenticator.authenticate(options));
    await passkeys.authenticate(token, 'interaction:x', answer);
    // The same token again: gone.
    await expect(passkeys.authenticate(token, 'interaction:x', answer)).rejects.toMatchObject({ reason: 'challenge' });
    // Another interaction's challenge, or a registration's, does not do.
    const other = await passkeys.startAuthentication('interaction:y');
    await expect(passkeys.authenticate(other.token, 'interaction:z', JSON.stringify(authenticator.authenticate(other.options)))).rejects.toMatchObject({
      reason: 'challenge',
    });
    // ... and is spent by the failed attempt.
    await expect(passkeys.authenticate(other.token, 'interaction:y', JSON.stringify(authenticator.authenticate(other.options)))).rejects.toMatchObject({
      reason: 'challenge',
    });
    const registration = await passkeys.startRegistration(ada);
    await expect(passkeys.authenticate(registration.token, `user:${ada.id}`, answer)).rejects.toMatchObject({ reason: 'challenge' });
    // A fresh challenge answered with the old one's signature.
    const fresh = await passkeys.startAuthentication('interaction:w');
    await expect(
      passkeys.authenticate(fresh.token, 'interaction:w', JSON.stringify(authenticator.authenticate(fresh.options, { challenge: options.challenge }))),
    ).rejects.toMatchObject({ reason: 'verification' });
    // No token, or a made-up one.
    await expect(passkeys.authenticate(undefined, 'interaction:x', answer)).rejects.toMatchObject({ reason: 'challenge' });
    await expect(passkeys.authenticate('A'.repeat(43), 'interaction:x', answer)).rejects.toMatchObject({ reason: 'challenge' });
    await passkeys.remove(ada.id, passkey.id, byAda());
  });

  it('an expired challenge is refused and swept', async () => {
    const clock = { now: new Date() };
    const { createPasskeyService } = await import('../../src/domain/accounts/passkeys.js');
    const { createPasskeyRepository } = await import('../../src/db/passkey-repository.js');
    const timed = createPasskeyService({
      repository: createPasskeyRepository(container.db.prisma),
      accounts: container.accounts,
      audit: container.audit,
      issuer: ISSUER,
      now: () => clock.now,
    });
    const { authenticator, passkey } = await register(ada, 'Slow');
    const { token, options } = await timed.startAuthentication('interaction:slow');
    clock.now = new Date(clock.now.getTime() + 5 * 60 * 1000 + 1);
    await expect(timed.authenticate(token, 'interaction:slow', JSON.stringify(authenticator.authenticate(options)))).rejects.toMatchObject({
      reason: 'challenge',
    });
    await timed.startAuthentication('interaction:old');
    clock.now = new Date(clock.now.getTime() + 6 * 60 * 1000);
    expect(await timed.deleteExpiredChallenges()).toBeGreaterThanOrEqual(1);
    await passkeys.remove(ada.id, passkey.id, byAda());
  });

  it('refuses a signature counter that does not go up; 0 after 0 is fine', async () => {
    const { authenticator, passkey } = await register(ada, 'Counter');
    await signIn(authenticator); // 1
    await signIn(authenticator); // 2
    await expect(signIn(authenticator, 'interaction:c', { counter: 2 })).rejects.toMatchObject({ reason: 'counter' });
    await expect(signIn(authenticator, 'interaction:c', { counter: 1 })).rejects.toMatchObject({ reason: 'counter' });
    await expect(signIn(authenticator, 'interaction:c', { counter: 0 })).rejects.toMatchObject({ reason: 'counter' });
    expect((await passkeys.list(ada.id)).find((p) => p.id === passkey.id)?.counter).toBe(2);
    await expect(signIn(authenticator, 'interaction:c', { counter: 7 })).resolves.toMatchObject({ accountId: ada.id });
    await passkeys.remove(ada.id, passkey.id, byAda());

    const noCounter = await register(ada, 'No counter', new SoftAuthenticator(ORIGIN, { keepsCounter: false }));
    await expect(signIn(noCounter.authenticator)).resolves.toMatchObject({ accountId: ada.id });
    await expect(signIn(noCounter.authenticator)).resolves.toMatchObject({ accountId: ada.id });
    await passkeys.remove(ada.id, noCounter.passkey.id, byAda());
  });

  it('refuses another origin or RP ID, and a passkey without user verification', async () => {
    const authenticator = new SoftAuthenticator(ORIGIN);
    for (const bend of [{ origin: 'https://evil.example.net' }, { rpId: 'evil.example.net' }, { origin: 'http://id.example.com' }, { userVerified: false }]) {
      const { token, options } = await passkeys.startRegistration(ada);
      await expect(passkeys.finishRegistration(ada, token, JSON.stringify(authenticator.register(options, bend)), 'Bent', byAda())).rejects.toBeInstanceOf(
        PasskeyError,
      );
    }
    expect(await passkeys.list(ada.id)).toEqual([]);

    const { passkey } = await register(ada, 'Straight', authenticator);
    for (const bend of [
      { origin: 'https://evil.example.net' },
      { rpId: 'evil.example.net' },
      { origin: 'https://id.example.com:8443' },
      { userVerified: false },
    ]) {
      await expect(signIn(authenticator, 'interaction:b', bend)).rejects.toMatchObject({ reason: 'verification', userId: ada.id });
    }
    await passkeys.remove(ada.id, passkey.id, byAda());
  });

  it("refuses another person's passkey, a wrong user handle, unknown credentials and garbage", async () => {
    const adas = await register(ada, 'Ada key');
    // A registration answered with Ada's challenge cannot land on Bob, and Bob cannot register Ada's credential.
    const forAda = await passkeys.startRegistration(ada);
    await expect(
      passkeys.finishRegistration(bob, forAda.token, JSON.stringify(new SoftAuthenticator(ORIGIN).register(forAda.options)), 'Stolen', {
        actor: `user:${bob.id}`,
      }),
    ).rejects.toMatchObject({ reason: 'challenge' });
    const forBob = await passkeys.startRegistration(bob);
    await expect(
      passkeys.finishRegistration(bob, forBob.token, JSON.stringify(adas.authenticator.register(forBob.options)), 'Dup', { actor: `user:${bob.id}` }),
    ).rejects.toBeInstanceOf(PasskeyError);

    // Ada's credential claiming to be Bob's (user handle) is refused.
    await expect(signIn(adas.authenticator, 'interaction:h', { userHandle: Buffer.from(bob.id).toString('base64url') })).rejects.toMatchObject({
      reason: 'user_handle',
    });
    // A credential nobody registered.
    await expect(signIn(new SoftAuthenticator(ORIGIN))).rejects.toMatchObject({ reason: 'unknown_credential' });
    for (const garbage of ['', 'not json', '{}', '[]', '{"id":"x","rawId":"x","type":"public-key"}']) {
      const { token } = await passkeys.startAuthentication('interaction:g');
      await expect(passkeys.authenticate(token, 'interaction:g', garbage)).rejects.toMatchObject({ reason: 'malformed' });
    }

    // Bob can neither rename nor remove Ada's passkey.
    await expect(passkeys.rename(bob.id, adas.passkey.id, 'Mine now', { actor: `user:${bob.id}` })).rejects.toBeInstanceOf(NotFoundError);
    await expect(passkeys.remove(bob.id, adas.passkey.id, { actor: `user:${bob.id}` })).rejects.toBeInstanceOf(NotFoundError);
    expect((await passkeys.list(ada.id)).map((p) => p.name)).toEqual(['Ada key']);
    await passkeys.remove(ada.id, adas.passkey.id, byAda());
  });

  it('refuses a disabled person, and lets them in again once enabled', async () => {
    const carol = await container.accounts.create({ email: 'carol@example.com', password: 'saffron bicycle harbour' });
    const { authenticator } = await register(carol, 'Carol key');
    await container.accounts.setDisabled(carol.id, true);
    await expect(signIn(authenticator)).rejects.toMatchObject({ reason: 'disabled', userId: carol.id });
    await container.accounts.setDisabled(carol.id, false);
    await expect(signIn(authenticator)).resolves.toMatchObject({ accountId: carol.id });
    // Deleting the person deletes their passkeys.
    await container.accounts.deleteById(carol.id);
    expect(await passkeys.list(carol.id)).toEqual([]);
    await expect(signIn(authenticator)).rejects.toMatchObject({ reason: 'unknown_credential' });
  });

  it('renames and removes, audited; names are checked; a removed passkey no longer signs in', async () => {
    const { authenticator, passkey } = await register(ada, 'Old name');
    await expect(passkeys.rename(ada.id, passkey.id, '   ', byAda())).rejects.toBeInstanceOf(ValidationError);
    await expect(passkeys.rename(ada.id, passkey.id, 'x'.repeat(101), byAda())).rejects.toBeInstanceOf(ValidationError);
    await expect(passkeys.rename(ada.id, passkey.id, 'New\u0000name', byAda())).rejects.toBeInstanceOf(ValidationError);
    await expect(passkeys.rename(ada.id, passkey.id, 'New name', byAda())).resolves.toMatchObject({ name: 'New name' });
    await passkeys.remove(ada.id, passkey.id, byAda());
    await expect(passkeys.remove(ada.id, passkey.id, byAda())).rejects.toBeInstanceOf(NotFoundError);
    await expect(signIn(authenticator)).rejects.toMatchObject({ reason: 'unknown_credential' });
    const renamed = await container.audit.list({ action: 'passkey.renamed' });
    expect(renamed.events.at(0)).toMatchObject({ details: { key_id: passkey.id, name: 'New name', from: 'Old name' } });
    const removed = await container.audit.list({ action: 'passkey.removed' });
    expect(removed.events.some((e) => e.details.key_id === passkey.id && e.details.name === 'New name')).toBe(true);
  });
});
