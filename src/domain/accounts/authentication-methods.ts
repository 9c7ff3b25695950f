// How a sign-in was done, as the ID token says it: `amr` (RFC 8176 values) and `acr` (Sesame's two
// levels). The sign-in pages build the provider's login result from here, and the provider's
// configuration lists ACR_VALUES (discovery: acr_values_supported), so the two cannot drift.
//
// - a password only:               amr ["pwd"],              acr urn:sesame:acr:pwd
// - a password and an app's code:  amr ["pwd","otp","mfa"],  acr urn:sesame:acr:mfa
// - a password and a recovery code: amr ["pwd","mfa"],       acr urn:sesame:acr:mfa
//   (RFC 8176 has no value for a printed recovery code: "otp" names RFC 4226/6238 codes, so it is
//   not claimed; "mfa" is, since two independent factors were presented.)
// - a password and a passkey:       amr ["pwd","hwk"|"swk","user","mfa"], acr phrh | phr
//   (the passkey's own amr after "pwd", and the passkey's acr: the sign-in is at least as strong as
//   the passkey alone, which is phishing-resistant; a password added to it does not lower that.)
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

/** A second factor the sign-in accepts. */
export type SecondFactorMethod = 'totp' | 'recovery_code' | 'passkey';

export interface AuthenticationResult {
  amr: string[];
  acr: string;
}

/**
 * The `amr` of a passkey (RFC 8176): `hwk` for a key bound to one authenticator, `swk` for a synced
 * passkey (its key is copied between devices by software), `user` (the person was there: user
 * verification implies presence) and `mfa` (a possession plus a PIN or biometric check).
 */
export function passkeyAmr(deviceType: string): string[] {
  return [deviceType === 'multiDevice' ? 'swk' : 'hwk', 'user', 'mfa'];
}

/**
 * The `acr` after a passkey: OpenID Connect EAP ACR Values 1.0, `phrh` (phishing-resistant,
 * hardware-protected) for a device-bound passkey and `phr` (phishing-resistant) for a synced one.
 */
export function passkeyAcr(deviceType: string): string {
  return deviceType === 'multiDevice' ? 'phr' : 'phrh';
}

const SECOND_FACTOR_AMR: Record<Exclude<SecondFactorMethod, 'passkey'>, string[]> = {
  totp: ['otp'],
  recovery_code: [],
};

/**
 * The amr and acr of a sign-in with a password, and a second factor when one was given. A passkey
 * as the second factor needs its device type (`singleDevice` or `multiDevice`, as stored).
 */
export function authenticationResult(secondFactor?: SecondFactorMethod, passkeyDeviceType = 'singleDevice'): AuthenticationResult {
  if (!secondFactor) return { amr: ['pwd'], acr: ACR.singleFactor };
  if (secondFactor === 'passkey') return { amr: ['pwd', ...passkeyAmr(passkeyDeviceType)], acr: passkeyAcr(passkeyDeviceType) };
  return { amr: ['pwd', ...SECOND_FACTOR_AMR[secondFactor], 'mfa'], acr: ACR.multiFactor };
}
