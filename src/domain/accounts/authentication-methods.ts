// How a sign-in was done, as the ID token says it: `amr` (RFC 8176 values) and `acr` (Sesame's two
// levels). The sign-in pages build the provider's login result from here, and the provider's
// configuration lists ACR_VALUES (discovery: acr_values_supported), so the two cannot drift.
//
// - a password only:               amr ["pwd"],              acr urn:sesame:acr:pwd
// - a password and an app's code:  amr ["pwd","otp","mfa"],  acr urn:sesame:acr:mfa
// - a password and a recovery code: amr ["pwd","mfa"],       acr urn:sesame:acr:mfa
//   (RFC 8176 has no value for a printed recovery code: "otp" names RFC 4226/6238 codes, so it is
//   not claimed; "mfa" is, since two independent factors were presented.)
// The acr values are Sesame's own URNs rather than the EAP ACR values `phr`/`phrh`: an app's
// code is not phishing-resistant, and claiming so would mislead an RP.

export const ACR = {
  /** One factor: a password. */
  singleFactor: 'urn:sesame:acr:pwd',
  /** A password and a second factor. */
  multiFactor: 'urn:sesame:acr:mfa',
} as const;

/**
 * Every acr Sesame issues, lowest first (the provider's acrValues). A passkey sign-in gives the EAP
 * ACR values instead (passkeys.ts): `phr` for a synced passkey, `phrh` for one bound to its device.
 */
export const ACR_VALUES: readonly string[] = [ACR.singleFactor, ACR.multiFactor, 'phr', 'phrh'];

/** A second factor the sign-in accepts. Passkeys add theirs here. */
export type SecondFactorMethod = 'totp' | 'recovery_code';

export interface AuthenticationResult {
  amr: string[];
  acr: string;
}

const SECOND_FACTOR_AMR: Record<SecondFactorMethod, string[]> = {
  totp: ['otp'],
  recovery_code: [],
};

/** The amr and acr of a sign-in with a password, and a second factor when one was given. */
export function authenticationResult(secondFactor?: SecondFactorMethod): AuthenticationResult {
  if (!secondFactor) return { amr: ['pwd'], acr: ACR.singleFactor };
  return { amr: ['pwd', ...SECOND_FACTOR_AMR[secondFactor], 'mfa'], acr: ACR.multiFactor };
}
