// Authenticator-app codes (TOTP, RFC 6238) with `otpauth`: SHA-1, 6 digits, 30-second steps, the
// parameters every authenticator app supports. A code is accepted from the step before to the step
// after the current one (clocks drift); which step it matched is returned, so that the caller can
// refuse that step, and every earlier one, the next time (each code works once).
import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD_SECONDS = 30;
const DIGITS = 6;
/** Steps accepted either side of now. */
const WINDOW = 1;
/** 160 bits, as RFC 4226 recommends. */
const SECRET_BYTES = 20;

const CODE = /^\d{6}$/;

/** A new random secret, base32 (RFC 4648, no padding). */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

function totp(secret: string, label = 'Sesame', issuer = 'Sesame'): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: DIGITS, period: TOTP_PERIOD_SECONDS, secret: Secret.fromBase32(secret) });
}

/** The otpauth:// URI an app scans: the account's email as label, the issuer's host as issuer. */
export function totpUri(secret: string, account: string, issuer: string): string {
  return totp(secret, account, issuer).toString();
}

/** What a person typed, as a code: digits only (spaces allowed in between), or undefined. */
export function normalizeTotpCode(typed: string): string | undefined {
  const code = typed.replace(/\s+/g, '');
  return CODE.test(code) ? code : undefined;
}

/** The time step `now` is in. */
export const stepAt = (now: Date): number => Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);

/** The time step the code belongs to (now, or one step either side), or undefined when it is wrong. */
export function matchingStep(secret: string, typed: string, now: Date): number | undefined {
  const code = normalizeTotpCode(typed);
  if (!code) return undefined;
  const delta = totp(secret).validate({ token: code, timestamp: now.getTime(), window: WINDOW });
  return delta === null ? undefined : stepAt(now) + delta;
}

/** The key as a person types it: base32 in groups of four. */
export const groupedKey = (secret: string): string => (secret.match(/.{1,4}/g) ?? []).join(' ');
