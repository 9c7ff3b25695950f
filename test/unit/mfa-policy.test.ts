// Who must sign in with a second factor: MFA_POLICY, the client's require_mfa and the request's acr.
import { describe, expect, it } from 'vitest';
import { acrClaimOf, mfaNeed, requestedMfa } from '../../src/domain/accounts/mfa-policy.js';

const person = (isAdmin: boolean, hasFactor: boolean) => ({ isAdmin, hasFactor });
const plain = { clientRequiresMfa: false };

describe('MFA policy', () => {
  it('optional: only people with a factor verify it; nobody enrols', () => {
    expect(mfaNeed('optional', person(true, false), plain)).toBeUndefined();
    expect(mfaNeed('optional', person(false, true), plain)).toBeUndefined();
  });

  it('required-for-admins: admins enrol or verify, others do not', () => {
    expect(mfaNeed('required-for-admins', person(true, false), plain)).toBe('enrol');
    expect(mfaNeed('required-for-admins', person(true, true), plain)).toBe('verify');
    expect(mfaNeed('required-for-admins', person(false, false), plain)).toBeUndefined();
  });

  it('required: everyone', () => {
    expect(mfaNeed('required', person(false, false), plain)).toBe('enrol');
    expect(mfaNeed('required', person(false, true), plain)).toBe('verify');
  });

  it("a client's require_mfa and an essential acr require it; acr_values ask for it only of people who have a factor", () => {
    expect(mfaNeed('optional', person(false, false), { clientRequiresMfa: true })).toBe('enrol');
    const essential = { clientRequiresMfa: false, essentialAcr: { essential: true, values: ['urn:sesame:acr:mfa', 'phr'] } };
    expect(mfaNeed('optional', person(false, false), essential)).toBe('enrol');
    const voluntary = { clientRequiresMfa: false, acrValues: 'urn:sesame:acr:mfa' };
    expect(mfaNeed('optional', person(false, true), voluntary)).toBe('verify');
    expect(mfaNeed('optional', person(false, false), voluntary)).toBeUndefined();
  });

  it('reads acr_values and the claims parameter: any single-factor value accepted means no step-up', () => {
    expect(requestedMfa({ clientRequiresMfa: false, acrValues: 'phr phrh' })).toBe('requested');
    expect(requestedMfa({ clientRequiresMfa: false, acrValues: 'urn:sesame:acr:pwd urn:sesame:acr:mfa' })).toBeUndefined();
    expect(requestedMfa({ clientRequiresMfa: false, essentialAcr: { essential: false, values: ['phr'] } })).toBeUndefined();
    expect(requestedMfa({ clientRequiresMfa: false, essentialAcr: { essential: true, value: 'urn:sesame:acr:mfa' } })).toBe('required');
    expect(acrClaimOf('{"id_token":{"acr":{"essential":true,"value":"phr"}}}')).toEqual({ essential: true, value: 'phr' });
    expect(acrClaimOf('not json')).toBeUndefined();
    expect(acrClaimOf({ userinfo: {} })).toBeUndefined();
  });
});
