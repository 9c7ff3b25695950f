import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { secretWeaknesses } from '../../src/secret-strength.js';

describe('secretWeaknesses', () => {
  it('names what makes a typed value look made up, without quoting it', () => {
    for (const [value, reason] of [
      ['changeme-changeme-changeme-changeme', 'placeholder'],
      ['Change_Me.please.0123456789-qwzrtyuiop', 'placeholder'],
      ['my-super-SECRET-value-for-sesame-2024', 'placeholder'],
      ['password-for-the-cookies-is-very-long', 'placeholder'],
      ['example-key-encryption-value-9f8e7d6c5b', 'placeholder'],
      ['this-is-a-test-only-value-please-rotate', 'placeholder'],
      ['Jq7vR2xxxxLm9pZ4kT8wN3bY6cF1hD5sG0aE', 'placeholder'],
      ['k'.repeat(32), 'different characters'],
      ['abcabcabcabcabcabcabcabcabcabcabcabc', 'different characters'],
      ['Zq8#Lm2!Vx7@Rt4$Nw9%Kp3^Hj6&Bf0aaaaaa', 'in a row'],
      ['Zq8#Lm2!Vx7@Rt4$Nw9%Kp3^Hj6&Bf0abcdefg', 'abcdefg'],
      ['Zq8#Lm2!Vx7@Rt4$Nw9%Kp3^Hj6&Bf09876543', 'abcdefg'],
      ['Zq8#Lm2!Vx7@Rt4$Nw9%Kp3^Hj6&Bf0Q7Q7Q7Q7', 'short pattern'],
      ['Zq8#Lm2!Vx7@Rt4$Nw9%Kp3^HjK2cK2cK2c', 'short pattern'],
    ] as const) {
      const reasons = secretWeaknesses(value);
      expect(reasons.join('; '), value).toContain(reason);
      expect(reasons.join(' ')).not.toContain(value.slice(0, 6));
    }
  });

  it('practically never refuses a generated secret (base64 or hex, 16 to 32 random bytes)', () => {
    // Measured on 200,000 of each: about 1 in 10,000 is refused. 5,000 each here: at most a few.
    for (const generate of [
      () => randomBytes(32).toString('base64url'),
      () => randomBytes(24).toString('base64'),
      () => randomBytes(32).toString('hex'),
      () => randomBytes(16).toString('hex'),
    ]) {
      let refused = 0;
      for (let i = 0; i < 5_000; i++) if (secretWeaknesses(generate()).length > 0) refused++;
      expect(refused).toBeLessThanOrEqual(5);
    }
  });
});
