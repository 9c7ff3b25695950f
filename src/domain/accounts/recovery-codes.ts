// Recovery codes: ten random codes shown once when an authenticator app is added (and when they
// are regenerated), each good for one sign-in instead of a code from the app. 12 characters of
// base32 (60 bits), written in three groups of four; typed case-insensitively, with or without
// the dashes and spaces.
import { randomBytes } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const LENGTH = 12;

export function newRecoveryCode(): string {
  const bytes = randomBytes(LENGTH);
  let code = '';
  // 256 is a multiple of 32: every character equally likely.
  for (const byte of bytes) code += ALPHABET[byte % 32];
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
}

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
}

/** What a person typed, in the one form that is digested, or undefined when it cannot be a code. */
export function normalizeRecoveryCode(typed: string): string | undefined {
  const code = typed.toLowerCase().replace(/[\s-]+/g, '');
  return code.length === LENGTH && [...code].every((ch) => ALPHABET.includes(ch)) ? code : undefined;
}
