import { describe, expect, it } from 'vitest';
import { buildClientMetadata } from '../../src/domain/clients/client-metadata.js';
import { ValidationError } from '../../src/domain/errors.js';

function rejection(input: Parameters<typeof buildClientMetadata>[0]): string {
  try {
    buildClientMetadata(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('expected a ValidationError');
}

describe('client metadata', () => {
  it('builds a confidential web client with the code flow by default', () => {
    expect(buildClientMetadata({ name: 'App', redirectUris: ['https://app.example.com/cb'] })).toEqual({
      client_name: 'App',
      application_type: 'web',
      redirect_uris: ['https://app.example.com/cb'],
      post_logout_redirect_uris: [],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid profile email offline_access',
    });
  });

  it('makes a public native client with a private-use scheme', () => {
    const m = buildClientMetadata({ name: 'Phone', public: true, redirectUris: ['com.example.app:/callback'] });
    expect(m.token_endpoint_auth_method).toBe('none');
    expect(m.application_type).toBe('native');
  });

  it('makes a machine client with client_credentials only', () => {
    const m = buildClientMetadata({ name: 'Job', grantTypes: ['client_credentials'] });
    expect(m).toMatchObject({ grant_types: ['client_credentials'], response_types: [], redirect_uris: [] });
  });

  it('rejects unsafe or ambiguous redirect URIs with a message naming the URI', () => {
    expect(rejection({ name: 'A', redirectUris: ['http://app.example.com/cb'] })).toBe(
      'redirect URI "http://app.example.com/cb" must use https (http is allowed only for localhost)',
    );
    expect(rejection({ name: 'A', redirectUris: ['https://app.example.com/cb#x'] })).toContain('must not contain a fragment');
    expect(rejection({ name: 'A', redirectUris: ['https://*.example.com/cb'] })).toContain('must not contain a wildcard');
    expect(rejection({ name: 'A', redirectUris: ['/relative'] })).toContain('is not an absolute URI');
    expect(rejection({ name: 'A', redirectUris: ['com.example.app:/cb'] })).toContain('must use https');
    expect(rejection({ name: 'A', redirectUris: ['javascript:alert(1)'], public: true })).toContain('reverse-domain scheme');
    expect(rejection({ name: 'A', redirectUris: ['https://a.example/cb'], postLogoutRedirectUris: ['http://a.example/'] })).toContain(
      'post-logout redirect URI',
    );
  });

  it('rejects inconsistent grants', () => {
    expect(rejection({ name: 'A', redirectUris: [] })).toContain('at least one redirect URI');
    expect(rejection({ name: 'A', grantTypes: ['refresh_token'] })).toContain('needs authorization_code');
    expect(rejection({ name: 'A', grantTypes: ['implicit'] })).toContain('grant type "implicit" is not supported');
    expect(rejection({ name: 'A', public: true, grantTypes: ['client_credentials'] })).toContain('public client cannot');
    expect(rejection({ name: '', redirectUris: ['https://a.example/cb'] })).toBe('name is required');
  });
});
