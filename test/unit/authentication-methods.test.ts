// The amr and acr of each way of signing in (authentication-methods.ts), as the ID token carries
// them and the README's table says: a password, with an app's code, a recovery code, or a passkey.
import { describe, expect, it } from 'vitest';
import { ACR, ACR_VALUES, authenticationResult } from '../../src/domain/accounts/authentication-methods.js';

describe('authenticationResult', () => {
  it('gives each way its amr and acr', () => {
    expect(authenticationResult()).toEqual({ amr: ['pwd'], acr: ACR.singleFactor });
    expect(authenticationResult('totp')).toEqual({ amr: ['pwd', 'otp', 'mfa'], acr: ACR.multiFactor });
    expect(authenticationResult('recovery_code')).toEqual({ amr: ['pwd', 'mfa'], acr: ACR.multiFactor });
    expect(authenticationResult('passkey', 'singleDevice')).toEqual({ amr: ['pwd', 'hwk', 'user', 'mfa'], acr: 'phrh' });
    expect(authenticationResult('passkey', 'multiDevice')).toEqual({ amr: ['pwd', 'swk', 'user', 'mfa'], acr: 'phr' });
  });

  it('issues only acr values discovery lists', () => {
    for (const [method, device] of [[undefined], ['totp'], ['recovery_code'], ['passkey', 'singleDevice'], ['passkey', 'multiDevice']] as const) {
      expect(ACR_VALUES).toContain(authenticationResult(method, device).acr);
    }
  });
});
