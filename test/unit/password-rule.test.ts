// The password rule (NIST SP 800-63B): length 10 to 256, no composition rules, nothing common or
// easily guessed (zxcvbn with the common dictionaries, loaded from the npm package: no network),
// not the person's own email or name. Each refusal names the one rule that failed.
import { describe, expect, it } from 'vitest';
import { checkPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PasswordRuleError, type PasswordRule } from '../../src/domain/accounts/password.js';
import { ValidationError } from '../../src/domain/errors.js';

const PERSON = { email: 'ada.lovelace@example.com', name: 'Ada Lovelace' };

async function ruleOf(password: string, person = PERSON): Promise<PasswordRule | undefined> {
  try {
    await checkPassword(password, person);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(PasswordRuleError);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'password' });
    return (error as PasswordRuleError).rule;
  }
}

describe('password rule', () => {
  it('is 10 to 256 characters, counted as characters a person types (code points)', async () => {
    expect(MIN_PASSWORD_LENGTH).toBe(10);
    expect(MAX_PASSWORD_LENGTH).toBe(256);
    expect(await ruleOf('kx8vdq2mz')).toBe('too_short');
    await expect(checkPassword('kx8vdq2mz')).rejects.toThrow(/^password must be at least 10 characters$/);
    expect(await ruleOf('kx8vdq2mzp')).toBeUndefined();
    // Nine emoji are 18 UTF-16 units but nine characters.
    expect(await ruleOf('🐙🦊🐢🦉🐝🦀🐌🦔🐳')).toBe('too_short');
    const long = Array.from({ length: 256 }, (_, i) => 'abcdefghijklmnopqrstuvwxyz0123456789'[(i * 7919) % 36]).join('');
    expect(await ruleOf(long)).toBeUndefined();
    expect(await ruleOf(`${long}q`)).toBe('too_long');
    await expect(checkPassword('q'.repeat(257))).rejects.toThrow(/^password must be at most 256 characters$/);
  });

  it('asks for no composition: lower-case words, spaces and any script are fine', async () => {
    for (const ok of ['correct horse battery staple', 'purple monkey dishwasher', 'kx8-vdq-2mz-pt', 'зелёный слон пьёт чай', 'a very long passphrase']) {
      expect(await ruleOf(ok), ok).toBeUndefined();
    }
  });

  it('refuses common and easily guessed passwords, however they are dressed up', async () => {
    for (const weak of ['password123', '1234567890', 'qwertyuiop12', 'iloveyou2024', 'Passw0rd!Passw0rd!', 'aaaaaaaaaaaa', 'abcdefghijkl']) {
      expect(await ruleOf(weak), weak).toBe('too_common');
    }
    await expect(checkPassword('password123')).rejects.toThrow(/^this password is too common or easy to guess; choose another$/);
  });

  it("refuses the person's own email or name, as the password or inside it, whatever the case", async () => {
    for (const personal of [
      'ada.lovelace@example.com',
      'ADA.LOVELACE@EXAMPLE.COM',
      'my ada.lovelace@example.com!',
      'AdaLovelace2024',
      'Ada Lovelace 1815',
      'hi ada  lovelace',
    ]) {
      expect(await ruleOf(personal), personal).toBe('personal');
    }
    await expect(checkPassword('Ada Lovelace 1815', PERSON)).rejects.toThrow(/^password must not be or contain your email address or name$/);
    // Someone else's name is only a password.
    expect(await ruleOf('Ada Lovelace 1815', { email: 'grace@example.com', name: 'Grace Hopper' })).toBeUndefined();
    // Parts of the email and name are the estimator's known words: leaning on them scores low...
    expect(await ruleOf('lovelace1815')).toBe('too_common');
    expect(await ruleOf('lovelace1815', { email: 'grace@example.com', name: 'Grace Hopper' })).toBeUndefined();
    // ...but sharing a word with them is no reason to refuse a strong password.
    expect(await ruleOf('canada geese fly south')).toBeUndefined();
    expect(await ruleOf('lovelace was here in the rain')).toBeUndefined();
  });

  it('loads the dictionaries once and checks quickly after that', async () => {
    await checkPassword('warm up the estimator');
    const started = performance.now();
    for (let i = 0; i < 20; i++) await checkPassword(`orbit tulip ${i} marble canyon`);
    expect((performance.now() - started) / 20).toBeLessThan(50);
  });
});
