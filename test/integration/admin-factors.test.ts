// What admins see and do about a person's second factors, over HTTP on each database: the admin
// API's GET and DELETE /users/{id}/factors (in the OpenAPI document too) and the console user
// page's "Second factors" with "Reset second factors" after a confirmation page (CSRF refused).
// A reset removes the authenticator app, the recovery codes and the passkeys, is audited with what
// went, and the person then signs in with the password alone (amr ["pwd"] at an openid-client RP).
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, REDIRECT_URI, startAuthorization, submitLogin } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';
import { SoftAuthenticator } from '../helpers/soft-authenticator.js';
import { awayFromStepBoundary, codeAt } from '../helpers/totp.js';

const BASE = '/admin/api/v1';
const ADMIN = { email: 'root@example.com', password: 'administrators only please', name: 'Root', isAdmin: true, emailVerified: true };
const PASSWORD = 'juniper lattice harbour 63';

describe.each(PROVIDERS)('admins and second factors on %s', (provider) => {
  let sesame: TestSesame;
  let admin: TestBrowser;
  let token: string;
  let rp: oidc.Configuration;
  let seq = 0;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    await sesame.container.accounts.create(ADMIN);
    admin = new TestBrowser(sesame.issuer);
    const login = await admin.request('/admin');
    expect((await admin.submit(login, '/login', { email: ADMIN.email, password: ADMIN.password })).status).toBe(200);
    const machine = await sesame.container.clients.create({ client_name: 'Machine', grant_types: ['client_credentials'], scope: 'admin' });
    token = (await oidc.clientCredentialsGrant(await discover(sesame.issuer, machine.client_id, machine.client_secret), { scope: 'admin' })).access_token;
    const app = await sesame.container.clients.create({ client_name: 'Ledger', redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code'] });
    rp = await discover(sesame.issuer, app.client_id, app.client_secret);
  });
  afterAll(async () => sesame?.close());

  async function api(method: string, path: string, bearer: string | null = token) {
    const response = await fetch(new URL(BASE + path, sesame.issuer), {
      method,
      headers: { accept: 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  }

  /** A person with an authenticator app (10 recovery codes, one used) and two passkeys, one synced. */
  async function person() {
    seq += 1;
    const email = `osprey${seq}@example.com`;
    const { container } = sesame;
    const user = await container.accounts.create({ email, password: PASSWORD, name: 'Ola Osprey', emailVerified: true });
    await awayFromStepBoundary();
    const enrolment = (await container.secondFactors.startEnrolment(user.id))!;
    const codes = await container.secondFactors.confirmEnrolment(user.id, codeAt(enrolment.secret, -1), { actor: `user:${user.id}` });
    await container.secondFactors.verify(user.id, 'recovery_code', codes[0]!, { actor: `user:${user.id}`, sourceAddress: '192.0.2.1' }, 'account');
    for (const [name, synced] of [
      ['Laptop', false],
      ['Phone', true],
    ] as const) {
      const authenticator = new SoftAuthenticator(sesame.issuer, { synced });
      const { token: ceremony, options } = await container.passkeys.startRegistration(user);
      await container.passkeys.finishRegistration(user, ceremony, JSON.stringify(authenticator.register(options)), name, { actor: `user:${user.id}` });
    }
    return { ...user, password: PASSWORD };
  }

  /** Signs in at the RP with the password; resolves to the page after it (the second step, or the callback). */
  async function passwordSignIn(who: { email: string; password: string }) {
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(rp);
    let page: Page = await submitLogin(browser, await browser.request(start.url.toString()), who.email, who.password);
    if (page.html.includes('/confirm')) page = await browser.submit(page, '/confirm');
    return { browser, start, page };
  }

  async function expectPasswordAlone(who: { id: string; email: string; password: string }) {
    const { start, page } = await passwordSignIn(who);
    expect(page.url.startsWith(REDIRECT_URI), `${page.status} ${page.url}`).toBe(true);
    const claims = (await exchange(rp, new URL(page.url), start)).claims()!;
    expect(claims.sub).toBe(who.id);
    expect(claims.amr).toEqual(['pwd']);
  }

  it("the admin API lists a person's factors and resets them (app, recovery codes, passkeys), audited; then the password alone signs in", async () => {
    const who = await person();
    // Before: the second step is asked for.
    expect((await passwordSignIn(who)).page.html).toContain('Authentication code');

    const listed = await api('GET', `/users/${who.id}/factors`);
    expect(listed.status).toBe(200);
    expect(listed.json).toMatchObject({ totp: { confirmed_at: expect.any(String) }, totp_enrolling: false, recovery_codes_left: 9 });
    expect(listed.json.passkeys).toEqual([
      { id: expect.any(String), name: 'Laptop', synced: false, created_at: expect.any(String), last_used_at: null },
      { id: expect.any(String), name: 'Phone', synced: true, created_at: expect.any(String), last_used_at: null },
    ]);
    expect(JSON.stringify(listed.json)).not.toMatch(/public_?key|credential/i);
    expect((await api('GET', '/users/no-such-user/factors')).status).toBe(404);
    expect((await api('GET', `/users/${who.id}/factors`, null)).status).toBe(401);

    const reset = await api('DELETE', `/users/${who.id}/factors`);
    expect(reset.status).toBe(200);
    expect(reset.json).toEqual({
      totp: true,
      recovery_codes: 10,
      passkeys: listed.json.passkeys.map((p: { id: string; name: string }) => ({ id: p.id, name: p.name })),
    });
    expect((await api('GET', `/users/${who.id}/factors`)).json).toEqual({ totp: null, totp_enrolling: false, recovery_codes_left: 0, passkeys: [] });
    expect(await sesame.container.passkeys.list(who.id)).toEqual([]);
    const audited = await sesame.container.audit.list({ action: 'user.second_factors_reset' });
    expect(audited.events.find((e) => e.target === `user:${who.id}`)).toMatchObject({
      actor: expect.stringMatching(/^client:/),
      details: {
        email: who.email,
        totp: true,
        recovery_codes: 10,
        webauthn_keys: reset.json.passkeys.map((p: { id: string; name: string }) => ({ key_id: p.id, name: p.name })),
      },
    });
    await expectPasswordAlone(who);
    // Again: nothing left to remove.
    expect((await api('DELETE', `/users/${who.id}/factors`)).json).toEqual({ totp: false, recovery_codes: 0, passkeys: [] });
  });

  it('the OpenAPI document lists the new routes', async () => {
    const doc = (await api('GET', '/openapi.json', null)).json;
    expect(doc.paths['/users/{user_id}/factors'].get.operationId).toBe('getUserFactors');
    expect(doc.paths['/users/{user_id}/factors'].delete.operationId).toBe('resetUserFactors');
    expect(doc.components.schemas.UserFactors).toMatchObject({ type: 'object' });
    expect(doc.components.schemas.FactorReset).toMatchObject({ type: 'object' });
  });

  it('the console user page shows the factors; "Reset second factors" confirms first, then removes them all; then the password alone signs in', async () => {
    const who = await person();
    const page = await admin.request(`/admin/users/${who.id}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Second factors');
    expect(page.html).toMatch(/id="factor-totp">on since/);
    expect(page.html).toMatch(/id="factor-recovery-codes">9</);
    expect(page.html).toContain('Laptop');
    expect(page.html).toContain('Phone');
    expect(page.html).toContain('synced');
    expect(page.html).toContain('Reset second factors…');

    const confirm = await admin.request(`/admin/users/${who.id}/factors/reset`);
    expect(confirm.status).toBe(200);
    expect(confirm.html).toContain(`Reset the second factors of ${who.email}?`);
    expect(confirm.html).toContain('passkey “Laptop”');
    // Nothing happened yet.
    expect(await sesame.container.secondFactors.required(who.id)).toEqual(['totp', 'recovery_code']);

    const done = await admin.submit(confirm, `/admin/users/${who.id}/factors/reset`);
    expect(done.status).toBe(200);
    expect(new URL(done.url).pathname).toBe(`/admin/users/${who.id}`);
    expect(done.html).toContain('Removed the authenticator app, 10 recovery codes, 2 passkeys of');
    expect(done.html).toMatch(/id="factor-totp">off</);
    expect(done.html).toContain('They sign in with their password alone.');
    const audited = await sesame.container.audit.list({ action: 'user.second_factors_reset' });
    expect(audited.events.find((e) => e.target === `user:${who.id}`)).toMatchObject({ details: { totp: true, recovery_codes: 10 } });
    await expectPasswordAlone(who);
  });

  it('refuses the console reset without its CSRF token', async () => {
    const who = await person();
    const forged = await admin.request(`/admin/users/${who.id}/factors/reset`, { form: { csrf: 'A'.repeat(43) } });
    expect(forged.status).toBe(403);
    const none = await admin.request(`/admin/users/${who.id}/factors/reset`, { form: {} });
    expect(none.status).toBe(403);
    expect(await sesame.container.secondFactors.overview(who.id)).toMatchObject({ totp: { confirmedAt: expect.any(Date) }, recoveryCodesLeft: 9 });
    expect(await sesame.container.passkeys.list(who.id)).toHaveLength(2);
  });
});
