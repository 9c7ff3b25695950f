// Per-app access rules (a client's allowed_groups) over plain HTTP on each database, with
// openid-client RPs: a person outside the groups gets the "no access" page (in their language)
// and the RP access_denied, on prompt=none too; added to a group they sign in; taken out, their
// next refresh for that app fails while another app's refresh goes on. Every refusal is audited.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization, submitLogin } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const PASSWORD = 'amber pelican harbour 47';

const oauthError = (error: unknown) => (error as { error?: string }).error;

describe.each(PROVIDERS)('per-app access rules on %s', (provider) => {
  let sesame: TestSesame;
  let grafana: oidc.Configuration;
  let grafanaId: string;
  let wiki: oidc.Configuration;
  let seq = 0;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    await sesame.container.groups.create({ name: 'ops', description: 'Operations' });
    await sesame.container.groups.create({ name: 'sre' });
    const restricted = await sesame.container.clients.create({ client_name: 'Grafana', redirect_uris: [REDIRECT_URI], allowed_groups: ['ops', 'sre'] });
    grafanaId = restricted.client_id;
    grafana = await discover(sesame.issuer, restricted.client_id, restricted.client_secret);
    const open = await sesame.container.clients.create({ client_name: 'Wiki', redirect_uris: [REDIRECT_URI] });
    wiki = await discover(sesame.issuer, open.client_id, open.client_secret);
  });
  afterAll(async () => sesame?.close());

  async function person() {
    seq += 1;
    const email = `heron${seq}@example.com`;
    const user = await sesame.container.accounts.create({ email, password: PASSWORD, name: 'Hal Heron', emailVerified: true });
    return { ...user, password: PASSWORD };
  }

  const denials = async (userId: string) =>
    (await sesame.container.audit.list({ action: 'access.denied', limit: 50 })).events.filter((e) => e.target === `user:${userId}`);

  it('refuses a person outside the allowed groups with a page, then access_denied at the redirect URI; prompt=none gets access_denied; no code', async () => {
    const who = await person();
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(grafana);
    const login = await browser.request(start.url.toString());
    const page = await submitLogin(browser, login, who.email, who.password);
    expect(page.status, page.html).toBe(403);
    expect(page.html).toContain('You don\'t have access to <span class="client">Grafana</span>');
    expect(page.html).toContain('Ask your administrator.');
    expect(page.html).toContain(who.email);
    expect(page.html).toContain('href="/session/end"');

    // Back to the app: access_denied, no code.
    const back = await browser.submit(page, '/abort');
    const callback = new URL(back.url);
    expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('code')).toBeNull();

    // The session stands: a silent request is answered access_denied, without any page.
    const silent = await startAuthorization(grafana, { prompt: 'none' });
    const answer = new URL((await browser.request(silent.url.toString())).url);
    expect(answer.searchParams.get('error')).toBe('access_denied');
    expect(answer.searchParams.get('code')).toBeNull();
    expect(answer.searchParams.get('state')).toBe(silent.state);

    // The same session signs in to an app without rules.
    const wikiStart = await startAuthorization(wiki);
    const tokens = await exchange(wiki, await signIn(browser, wikiStart, who), wikiStart);
    expect(tokens.claims()!.sub).toBe(who.id);

    // German, as the RP asked.
    const de = await browser.request((await startAuthorization(grafana, { ui_locales: 'de' })).url.toString());
    expect(de.status).toBe(403);
    expect(de.html).toContain('Sie haben keinen Zugriff auf <span class="client">Grafana</span>');

    const contexts = (await denials(who.id)).map((e) => (e.details as { context: string; client_id: string }).context);
    expect(contexts).toEqual(expect.arrayContaining(['sign_in', 'prompt_none']));
    expect((await denials(who.id)).every((e) => (e.details as { client_id: string }).client_id === grafanaId)).toBe(true);
  });

  it('added to a group they sign in; taken out, the next refresh for that app fails (invalid_grant) while another app refreshes', async () => {
    const who = await person();
    const browser = new TestBrowser(sesame.issuer);
    await sesame.container.groups.addMember('sre', who.email);

    const start = await startAuthorization(grafana);
    const tokens = await exchange(grafana, await signIn(browser, start, who), start);
    expect(tokens.claims()!.sub).toBe(who.id);
    expect(tokens.refresh_token).toBeTruthy();
    const wikiStart = await startAuthorization(wiki);
    const wikiTokens = await exchange(wiki, await signIn(browser, wikiStart, who), wikiStart);
    expect(wikiTokens.refresh_token).toBeTruthy();

    // A member refreshes.
    const refreshed = await oidc.refreshTokenGrant(grafana, tokens.refresh_token!);
    expect(refreshed.access_token).toBeTruthy();

    await sesame.container.groups.removeMember('sre', who.email);
    await expect(oidc.refreshTokenGrant(grafana, refreshed.refresh_token ?? tokens.refresh_token!)).rejects.toSatisfy((e) => oauthError(e) === 'invalid_grant');
    expect((await oidc.refreshTokenGrant(wiki, wikiTokens.refresh_token!)).access_token).toBeTruthy();
    expect((await denials(who.id)).map((e) => (e.details as { context: string }).context)).toEqual(['refresh']);

    // And no new sign-in for it either, silently or not.
    const silent = await startAuthorization(grafana, { prompt: 'none' });
    expect(new URL((await browser.request(silent.url.toString())).url).searchParams.get('error')).toBe('access_denied');
  });

  it('a rule naming several groups lets in the members of any; clearing it lets everyone in', async () => {
    const who = await person();
    const other = await sesame.container.clients.create({ client_name: 'Forgejo', redirect_uris: [REDIRECT_URI], allowed_groups: ['ops'] });
    const forgejo = await discover(sesame.issuer, other.client_id, other.client_secret);
    const browser = new TestBrowser(sesame.issuer);
    const first = await startAuthorization(forgejo);
    const login = await browser.request(first.url.toString());
    expect((await submitLogin(browser, login, who.email, who.password)).status).toBe(403);

    await sesame.container.clients.update(other.client_id, { allowed_groups: null });
    const again = await startAuthorization(forgejo);
    const tokens = await exchange(forgejo, await signIn(browser, again, who), again);
    expect(tokens.claims()!.sub).toBe(who.id);
  });
});
