import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildClientMetadata, requiresPkce, rotatesRefreshTokens, usesSecret } from '../../src/domain/clients/client-metadata.js';
import { ValidationError } from '../../src/domain/errors.js';

/** The deployment's SIGNING_ALGS and ISSUER, as the client service passes them. */
const ISSUER = 'https://id.example.com';
const POLICY = { signingAlgs: ['RS256'], issuer: ISSUER };

function rejection(input: Record<string, unknown>, policy = POLICY): string {
  try {
    // Wrong on purpose: the schema's types are checked at run time too.
    buildClientMetadata(input as unknown as Parameters<typeof buildClientMetadata>[0], policy);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('expected a ValidationError');
}

describe('client metadata', () => {
  it('builds a confidential web client with the code flow by default', () => {
    expect(buildClientMetadata({ client_name: 'App', redirect_uris: ['https://app.example.com/cb'] }, POLICY)).toEqual({
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
    const m = buildClientMetadata({ client_name: 'Phone', token_endpoint_auth_method: 'none', redirect_uris: ['com.example.app:/callback'] }, POLICY);
    expect(m.token_endpoint_auth_method).toBe('none');
    expect(m.application_type).toBe('native');
  });

  it('makes a machine client with client_credentials only', () => {
    const m = buildClientMetadata({ client_name: 'Job', grant_types: ['client_credentials'] }, POLICY);
    expect(m).toMatchObject({ grant_types: ['client_credentials'], response_types: [], redirect_uris: [] });
  });

  it('rejects unsafe or ambiguous redirect URIs with a message naming the URI', () => {
    expect(rejection({ client_name: 'A', redirect_uris: ['http://app.example.com/cb'] })).toBe(
      'redirect URI "http://app.example.com/cb" must use https (http is allowed only for localhost)',
    );
    expect(rejection({ client_name: 'A', redirect_uris: ['https://app.example.com/cb#x'] })).toContain('must not contain a fragment');
    expect(rejection({ client_name: 'A', redirect_uris: ['https://*.example.com/cb'] })).toContain('must not contain a wildcard');
    expect(rejection({ client_name: 'A', redirect_uris: ['/relative'] })).toContain('is not an absolute URI');
    expect(rejection({ client_name: 'A', redirect_uris: ['com.example.app:/cb'] })).toContain('must use https');
    expect(rejection({ client_name: 'A', redirect_uris: ['javascript:alert(1)'], token_endpoint_auth_method: 'none' })).toContain('reverse-domain scheme');
    expect(rejection({ client_name: 'A', redirect_uris: ['https://a.example/cb'], post_logout_redirect_uris: ['http://a.example/'] })).toContain(
      'post-logout redirect URI',
    );
  });

  it('rejects inconsistent grants', () => {
    expect(rejection({ client_name: 'A', redirect_uris: [] })).toContain('at least one redirect URI');
    expect(rejection({ client_name: 'A', grant_types: ['refresh_token'] })).toContain('needs authorization_code');
    expect(rejection({ client_name: 'A', grant_types: ['implicit'] })).toContain('grant type "implicit" is not supported');
    expect(rejection({ client_name: 'A', token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] })).toContain('public client cannot');
    expect(rejection({ client_name: '', redirect_uris: ['https://a.example/cb'] })).toBe('client_name is required');
  });

  it('signs ID tokens with an enabled algorithm the client asks for, and leaves the default to the provider', () => {
    const policy = { signingAlgs: ['RS256', 'ES256'], issuer: ISSUER };
    const app = { client_name: 'App', redirect_uris: ['https://app.example.com/cb'] };
    expect(buildClientMetadata({ ...app, id_token_signed_response_alg: 'ES256' }, policy).id_token_signed_response_alg).toBe('ES256');
    expect(buildClientMetadata({ ...app, id_token_signed_response_alg: 'RS256' }, policy).id_token_signed_response_alg).toBe('RS256');
    expect(buildClientMetadata(app, policy)).not.toHaveProperty('id_token_signed_response_alg');

    expect(rejection({ ...app, id_token_signed_response_alg: 'HS256' }, policy)).toBe(
      'id_token_signed_response_alg "HS256" is not enabled; SIGNING_ALGS has RS256, ES256',
    );
    // Supported in general, but this deployment holds no keys for it.
    expect(rejection({ ...app, id_token_signed_response_alg: 'EdDSA' }, policy)).toContain('"EdDSA" is not enabled');
    expect(rejection({ ...app, id_token_signed_response_alg: 'none' }, policy)).toContain('"none" is not enabled');
    expect(rejection({ ...app, id_token_signed_response_alg: 'es256' }, policy)).toContain('"es256" is not enabled');
    let thrown: unknown;
    try {
      buildClientMetadata({ ...app, id_token_signed_response_alg: 'PS256' }, policy);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).field).toBe('id_token_signed_response_alg');
  });
});

describe('client resources (APIs it may get JWT access tokens for)', () => {
  const policy = POLICY;
  it('keeps exact absolute resource URIs and rejects fragments or plain http', () => {
    expect(buildClientMetadata({ client_name: 'A', redirect_uris: ['https://a.example/cb'], resources: ['https://api.example/'] }, policy).resources).toEqual([
      'https://api.example/',
    ]);
    expect(() => buildClientMetadata({ client_name: 'A', redirect_uris: ['https://a.example/cb'], resources: ['https://api.example/#x'] }, policy)).toThrow(
      'resource "https://api.example/#x" must not contain a fragment (#)',
    );
    expect(() => buildClientMetadata({ client_name: 'A', redirect_uris: ['https://a.example/cb'], resources: ['http://api.example/'] }, policy)).toThrow(
      'must use https',
    );
  });
});

describe("what belongs to Sesame's own admin console", () => {
  const app = { client_name: 'App', redirect_uris: ['https://app.example.com/cb'] };
  const field = (input: Parameters<typeof buildClientMetadata>[0], policy = POLICY) => {
    try {
      buildClientMetadata(input, policy);
    } catch (error) {
      return (error as ValidationError).field;
    }
    return undefined;
  };

  it("refuses the console's name however it is written", () => {
    expect(rejection({ ...app, client_name: 'Sesame console' })).toBe(
      `client_name "Sesame console" is reserved for Sesame's own admin console; choose another name`,
    );
    for (const name of ['sesame CONSOLE', '  Sesame   console ', 'Ｓｅｓａｍｅ ｃｏｎｓｏｌｅ'])
      expect(field({ ...app, client_name: name })).toBe('client_name');
    expect(buildClientMetadata({ ...app, client_name: 'Sesame console 2' }, POLICY).client_name).toBe('Sesame console 2');
  });

  it("refuses every URI on the issuer's origin, naming the field", () => {
    expect(rejection({ ...app, redirect_uris: ['https://evil.example/cb', 'https://id.example.com/admin/callback'] })).toBe(
      `redirect URI "https://id.example.com/admin/callback" is on Sesame's own origin (https://id.example.com); only Sesame's admin console may use it`,
    );
    for (const uri of ['https://ID.example.com:443/x', 'https://id.example.com./cb']) expect(field({ ...app, redirect_uris: [uri] })).toBe('redirect_uris');
    expect(field({ ...app, post_logout_redirect_uris: ['https://id.example.com/admin'] })).toBe('post_logout_redirect_uris');
    expect(field({ ...app, backchannel_logout_uri: 'https://id.example.com/session/end' })).toBe('backchannel_logout_uri');
    // Another port or a subdomain is another origin.
    expect(field({ ...app, redirect_uris: ['https://id.example.com:8443/cb', 'https://app.id.example.com/cb'] })).toBeUndefined();
  });

  it('treats every loopback name as the same host for a localhost issuer, port included', () => {
    const local = { signingAlgs: ['RS256'], issuer: 'http://localhost:3000' };
    expect(field({ ...app, redirect_uris: ['http://127.0.0.1:3000/admin/callback'] }, local)).toBe('redirect_uris');
    expect(field({ ...app, redirect_uris: ['http://[::1]:3000/cb'] }, local)).toBe('redirect_uris');
    expect(field({ ...app, redirect_uris: ['http://localhost:8080/cb'] }, local)).toBeUndefined();
  });

  it('lets the console itself have them', () => {
    const console = {
      client_name: 'Sesame console',
      token_endpoint_auth_method: 'none' as const,
      redirect_uris: [`${ISSUER}/admin/callback`],
      grant_types: ['authorization_code' as const],
    };
    expect(buildClientMetadata(console, POLICY, { console: true }).redirect_uris).toEqual([`${ISSUER}/admin/callback`]);
  });
});

describe('resource servers', () => {
  it('marks a confidential client, and refuses a public one', () => {
    const app = { client_name: 'API', grant_types: ['client_credentials' as const] };
    expect(buildClientMetadata({ ...app, resource_server: true }, POLICY).resource_server).toBe(true);
    expect(buildClientMetadata(app, POLICY)).not.toHaveProperty('resource_server');
    expect(rejection({ client_name: 'SPA', token_endpoint_auth_method: 'none', redirect_uris: ['https://a.example/cb'], resource_server: true })).toContain(
      'a public client cannot be a resource server',
    );
  });
});

describe('refresh token rotation', () => {
  const web = { client_name: 'App', redirect_uris: ['https://app.example.com/cb'] };
  const spa = { ...web, token_endpoint_auth_method: 'none' as const };

  it('is stored for a confidential client that asks for it, and only then', () => {
    expect(buildClientMetadata({ ...web, rotate_refresh_tokens: true }, POLICY).rotate_refresh_tokens).toBe(true);
    expect(buildClientMetadata(web, POLICY)).not.toHaveProperty('rotate_refresh_tokens');
    expect(buildClientMetadata({ ...web, rotate_refresh_tokens: false }, POLICY)).not.toHaveProperty('rotate_refresh_tokens');
    expect(rotatesRefreshTokens(buildClientMetadata(web, POLICY))).toBe(false);
    expect(rotatesRefreshTokens(buildClientMetadata({ ...web, rotate_refresh_tokens: true }, POLICY))).toBe(true);
  });

  it('always applies to a public client, which cannot turn it off', () => {
    expect(rotatesRefreshTokens(buildClientMetadata(spa, POLICY))).toBe(true);
    expect(buildClientMetadata({ ...spa, rotate_refresh_tokens: true }, POLICY)).not.toHaveProperty('rotate_refresh_tokens');
    expect(rejection({ ...spa, rotate_refresh_tokens: false })).toMatch(/^rotate_refresh_tokens cannot be false for a public client/);
    expect(rejection({ ...web, rotate_refresh_tokens: 'yes' })).toBe('rotate_refresh_tokens must be a boolean');
  });
});

describe('PKCE', () => {
  const web = { client_name: 'App', redirect_uris: ['https://app.example.com/cb'] };
  const spa = { ...web, token_endpoint_auth_method: 'none' as const };

  it('is required unless an administrator turns it off for a confidential client; only that is stored', () => {
    expect(buildClientMetadata(web, POLICY)).not.toHaveProperty('require_pkce');
    expect(requiresPkce(buildClientMetadata(web, POLICY))).toBe(true);
    expect(buildClientMetadata({ ...web, require_pkce: true }, POLICY)).not.toHaveProperty('require_pkce');
    const off = buildClientMetadata({ ...web, require_pkce: false }, POLICY);
    expect(off.require_pkce).toBe(false);
    expect(requiresPkce(off)).toBe(false);
  });

  it('is always required of a public client', () => {
    expect(requiresPkce(buildClientMetadata(spa, POLICY))).toBe(true);
    expect(rejection({ ...spa, require_pkce: false })).toMatch(/^require_pkce cannot be false for a public client/);
  });
});

describe('client authentication', () => {
  const web = { client_name: 'App', redirect_uris: ['https://app.example.com/cb'] };
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const ed = generateKeyPairSync('ed25519');
  const jwk = (key: KeyObject, extra: Record<string, unknown> = {}) => ({ ...key.export({ format: 'jwk' }), ...extra });

  it('stores each method with what goes with it, and says which use a secret', () => {
    for (const method of ['client_secret_basic', 'client_secret_post', 'client_secret_jwt'] as const) {
      expect(buildClientMetadata({ ...web, token_endpoint_auth_method: method }, POLICY).token_endpoint_auth_method).toBe(method);
      expect(usesSecret(method)).toBe(true);
    }
    expect(usesSecret('private_key_jwt')).toBe(false);
    expect(usesSecret('none')).toBe(false);
    const keys = { keys: [jwk(ec.publicKey, { kid: 'a', use: 'sig', alg: 'ES384' }), jwk(ed.publicKey, { kid: 'b' })] };
    const m = buildClientMetadata({ ...web, token_endpoint_auth_method: 'private_key_jwt', jwks: keys, token_endpoint_auth_signing_alg: 'EdDSA' }, POLICY);
    expect(m).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt', jwks: keys, token_endpoint_auth_signing_alg: 'EdDSA' });
    const byUri = buildClientMetadata({ ...web, token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://app.example.com/jwks' }, POLICY);
    expect(byUri.jwks_uri).toBe('https://app.example.com/jwks');
    expect(byUri).not.toHaveProperty('jwks');
  });

  it('refuses private and unusable keys by their place in the set, never by value', () => {
    const pkj = { ...web, token_endpoint_auth_method: 'private_key_jwt' as const };
    const priv = jwk(ec.privateKey);
    const message = rejection({ ...pkj, jwks: { keys: [jwk(ec.publicKey), priv] } });
    expect(message).toBe('jwks.keys[1] contains the private member "d": register the public key only (the private key stays with the app)');
    expect(message).not.toContain(String(priv.d));
    expect(rejection({ ...pkj, jwks: { keys: [jwk(generateKeyPairSync('x25519').publicKey)] } })).toBe(
      'jwks.keys[0] must be an Ed25519 key (crv "Ed25519"): the only OKP curve that signs here',
    );
    expect(rejection({ ...pkj, jwks: { keys: [jwk(ec.publicKey, { alg: 'ES256' })] } })).toBe(
      'jwks.keys[0] has alg "ES256", which this EC P-384 key cannot sign with',
    );
    expect(rejection({ ...pkj, jwks: { keys: [jwk(ec.publicKey, { kid: 'x' }), jwk(ed.publicKey, { kid: 'x' })] } })).toBe(
      'jwks has two keys with the same kid',
    );
    expect(rejection({ ...pkj, jwks: { keys: [{ kty: 'RSA', n: 'AQAB' }] } })).toBe('jwks.keys[0] is not a valid RSA public key');
    expect(rejection({ ...pkj, jwks: { keys: [jwk(ec.publicKey, { kid: 7 })] } })).toBe('jwks.keys[0] kid must be a non-empty string');
    expect(rejection({ ...pkj, jwks: { keys: Array.from({ length: 11 }, () => jwk(ec.publicKey)) } })).toBe('jwks may hold at most 10 keys');
  });
});
