// Tokens hashed at rest, over real HTTP on every database this run covers: after a person signs
// in and an app exchanges, refreshes and registers, the oidc_payload table holds none of the
// values handed out (tokens, the code, the session and interaction cookie values, initial and
// registration access tokens), a value read from the table is refused wherever a token is
// accepted, and the real values keep working. The admin API names sessions by uid only.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, REDIRECT_URI, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const USER = { email: 'rest@example.com', password: 'correct horse battery staple' };

function oauthError(error: unknown): string | undefined {
  const e = error as { error?: string; cause?: unknown };
  if (e.error) return e.error;
  if (Array.isArray(e.cause)) return (e.cause[0] as { parameters?: { error?: string } })?.parameters?.error;
  return undefined;
}

describe.each(PROVIDERS)('tokens at rest on %s', (provider) => {
  let sesame: TestSesame;
  let config: oidc.Configuration;
  let userId: string;
  let adminToken: string;

  const bearer = (token: string) => ({ authorization: `Bearer ${token}`, accept: 'application/json' });

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    userId = (await sesame.container.accounts.create({ ...USER, emailVerified: true })).id;
    const app = await sesame.container.clients.create({
      client_name: 'Notes',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
    });
    config = await discover(sesame.issuer, app.client_id, app.client_secret);
    const machine = await sesame.container.clients.create({ client_name: 'Admin job', grant_types: ['client_credentials'], scope: 'admin' });
    adminToken = (await oidc.clientCredentialsGrant(await discover(sesame.issuer, machine.client_id, machine.client_secret), { scope: 'admin' })).access_token;
  });
  afterAll(async () => sesame?.close());

  it('keeps no value it handed out in oidc_payload; values read from the table work nowhere; the real ones do', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config, { scope: 'openid offline_access', prompt: 'consent' });
    const login = await browser.request(start.url.toString());
    const consent = await browser.submit(login, '/login', USER);
    // Consent is a new interaction (the login one ended), stored while the person decides.
    const interactionId = new URL(consent.url).pathname.split('/').pop()!;
    expect(browser.cookies.get('_interaction')?.value).toBe(interactionId);
    const interactionRows = await sesame.container.db.prisma.oidcPayload.findMany({ where: { model: 'Interaction' } });
    expect(interactionRows.length).toBeGreaterThan(0);
    for (const row of interactionRows) {
      expect(row.id).not.toContain(interactionId);
      expect(row.payload).not.toContain(interactionId);
      expect(row.payload).not.toContain(browser.cookies.get('_session')!.value);
    }
    const callback = new URL((await browser.submit(consent, '/confirm')).url);
    const code = callback.searchParams.get('code')!;
    const sessionId = browser.cookies.get('_session')!.value;

    const issued = await exchange(config, callback, start);
    const refreshed = await oidc.refreshTokenGrant(config, issued.refresh_token!);
    const initial = await fetch(`${sesame.issuer}/admin/api/v1/initial-access-tokens`, {
      method: 'POST',
      headers: { ...bearer(adminToken), 'content-type': 'application/json' },
      body: '{}',
    });
    const initialAccessToken = ((await initial.json()) as { initial_access_token: string }).initial_access_token;
    const registration = await fetch(`${sesame.issuer}/reg`, {
      method: 'POST',
      headers: { ...bearer(initialAccessToken), 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Self-registered', redirect_uris: [REDIRECT_URI] }),
    });
    expect(registration.status).toBe(201);
    const registered = (await registration.json()) as { client_id: string; registration_access_token: string };

    const handedOut = {
      code,
      sessionId,
      interactionId,
      adminToken,
      accessToken: issued.access_token,
      refreshToken: issued.refresh_token!,
      refreshedAccessToken: refreshed.access_token,
      refreshedRefreshToken: refreshed.refresh_token!,
      initialAccessToken,
      registrationAccessToken: registered.registration_access_token,
    };
    const rows = await sesame.container.db.prisma.oidcPayload.findMany();
    const models = new Set(rows.map((r) => r.model));
    for (const model of ['Session', 'AuthorizationCode', 'AccessToken', 'RefreshToken', 'ClientCredentials', 'InitialAccessToken', 'RegistrationAccessToken']) {
      expect(models, model).toContain(model);
    }
    for (const row of rows) {
      for (const [name, value] of Object.entries(handedOut)) {
        expect(row.id, `${row.model} id holds ${name}`).not.toContain(value);
        expect(row.payload, `${row.model} payload holds ${name}`).not.toContain(value);
      }
    }

    // A key read from the table is not a token anywhere one is accepted.
    const keysOf = (model: string) => rows.filter((r) => r.model === model).map((r) => r.id);
    const userinfo = config.serverMetadata().userinfo_endpoint!;
    for (const key of keysOf('RefreshToken')) {
      await expect(oidc.refreshTokenGrant(config, key)).rejects.toSatisfy((e) => oauthError(e) === 'invalid_grant');
    }
    for (const key of [...keysOf('AccessToken'), ...keysOf('ClientCredentials')]) {
      expect((await fetch(userinfo, { headers: bearer(key) })).status).toBe(401);
      expect((await oidc.tokenIntrospection(config, key)).active).toBe(false);
      expect((await fetch(`${sesame.issuer}/admin/api/v1/clients`, { headers: bearer(key) })).status).toBe(401);
    }
    for (const key of keysOf('InitialAccessToken')) {
      const response = await fetch(`${sesame.issuer}/reg`, {
        method: 'POST',
        headers: { ...bearer(key), 'content-type': 'application/json' },
        body: JSON.stringify({ client_name: 'Intruder', redirect_uris: [REDIRECT_URI] }),
      });
      expect(response.status).toBe(401);
    }
    for (const key of keysOf('RegistrationAccessToken')) {
      expect((await fetch(`${sesame.issuer}/reg/${registered.client_id}`, { headers: bearer(key) })).status).toBe(401);
    }

    // The values handed out keep working.
    const me = await fetch(userinfo, { headers: bearer(refreshed.access_token) });
    expect(me.status).toBe(200);
    expect((await oidc.tokenIntrospection(config, refreshed.access_token)).active).toBe(true);
    expect((await fetch(`${sesame.issuer}/reg/${registered.client_id}`, { headers: bearer(registered.registration_access_token) })).status).toBe(200);
    const again = await oidc.refreshTokenGrant(config, refreshed.refresh_token!);
    expect(again.access_token).toBeTruthy();
    const silent = await startAuthorization(config, { scope: 'openid', prompt: 'none' });
    const silentCallback = new URL((await browser.request(silent.url.toString())).url);
    expect(silentCallback.searchParams.get('error')).toBeNull();
    expect(silentCallback.searchParams.get('code')).toBeTruthy();

    // The admin API names the session by its uid, never by its id or the id's digest.
    const listed = await fetch(`${sesame.issuer}/admin/api/v1/users/${userId}/sessions`, { headers: bearer(adminToken) });
    const text = await listed.text();
    const [session] = await sesame.container.payloads.findByAccountId(['Session'], userId);
    expect(text).toContain((session!.payload as { uid: string }).uid);
    expect(text).not.toContain(sessionId);
    expect(text).not.toContain(session!.key);
  });
});
