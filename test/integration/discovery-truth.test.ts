// Discovery lists exactly what works (issue 12): every scope in scopes_supported is granted when
// asked for, and every claim in claims_supported reaches the RP (ID token or userinfo) for a person
// who has it; a scope that is not listed is refused. openid-client is the RP.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const USER = { email: 'grace@example.com', password: 'discovery tells the truth', name: 'Grace Hopper' };

interface Discovery {
  scopes_supported: string[];
  claims_supported: string[];
}

describe.each(PROVIDERS)('discovery against behaviour on %s', (provider) => {
  let sesame: TestSesame;
  let config: oidc.Configuration;
  let discovery: Discovery;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    await sesame.container.accounts.create({ ...USER, emailVerified: true });
    const advertised = (await (await fetch(`${sesame.issuer}/.well-known/openid-configuration`)).json()) as Discovery;
    const client = await sesame.container.clients.create({
      client_name: 'Truth',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      // Registered for every advertised scope: the groups scope is granted only to clients given it,
      // and releases a groups claim only to a client with a groups_claim.
      scope: advertised.scopes_supported.join(' '),
      groups_claim: { include: 'all' },
      // sid is a claim of clients that take part in logout by session (back-channel, here).
      backchannel_logout_uri: 'http://localhost:8080/backchannel-logout',
    });
    config = await discover(sesame.issuer, client.client_id, client.client_secret);
    discovery = (await (await fetch(`${sesame.issuer}/.well-known/openid-configuration`)).json()) as Discovery;
  });
  afterAll(async () => sesame?.close());

  it('grants every advertised scope, and every advertised claim reaches the RP', async () => {
    expect(discovery.scopes_supported.length).toBeGreaterThan(0);
    // auth_time is sent when the RP asks for it (max_age), as OIDC Core says.
    const start = await startAuthorization(config, { scope: discovery.scopes_supported.join(' '), max_age: '3600' });
    const tokens = await exchange(config, await signIn(new TestBrowser(sesame.issuer), start, USER), start);

    expect(tokens.scope?.split(' ').sort()).toEqual([...discovery.scopes_supported].sort());
    if (discovery.scopes_supported.includes('offline_access')) expect(tokens.refresh_token).toBeTruthy();

    const idClaims = tokens.claims()!;
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
    expect(discovery.claims_supported.length).toBeGreaterThan(0);
    const missing = discovery.claims_supported.filter((claim) => idClaims[claim] === undefined && userinfo[claim] === undefined);
    expect(missing).toEqual([]);
    expect(userinfo).toMatchObject({ name: USER.name, email: USER.email, email_verified: true });
  });

  it('refuses a scope it does not advertise', async () => {
    expect(discovery.scopes_supported).not.toContain('admin');
    const start = await startAuthorization(config, { scope: 'openid admin' });
    const page = await new TestBrowser(sesame.issuer).request(start.url.toString());
    const location = new URL(page.url);
    // Refused before any sign-in, back at the RP with the error.
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('error')).toBe('invalid_scope');
  });
});
