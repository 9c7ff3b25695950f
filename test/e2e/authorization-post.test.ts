// Authorization requests by POST (OIDC Core 3.1.2.1: the authorization endpoint takes GET and
// POST) from an RP on another site, and the cookies that make them work: real Chromium submits
// the RP's auto-posting form, an RP on openid-client exchanges the code.
//
// On an https issuer (a TLS proxy with a self-signed certificate in front of Sesame) the session
// cookie is SameSite=None; Secure, so a form posted from the RP's site carries it: the second
// sign-in needs no password. The forms on Sesame's own pages (sign-in, consent, logout
// confirmation) still refuse a POST from another site, although that POST now carries the session
// cookie. On an http issuer (development) the cookie stays SameSite=Lax (browsers refuse
// SameSite=None without Secure), so oidc-provider takes no POST itself: Sesame hands it the POST as
// the equivalent GET. It signs in; a POST from the same site finds the session, one from another
// site does not (SameSite=Lax goes with another site's GETs only). A real RP that sends its
// authorization request by POST, Apache's mod_auth_openidc with OIDCProviderAuthRequestMethod
// POST, signs in on https too.
import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOD_AUTH_OPENIDC, parseEnvPage, startApache, type RunningApache } from '../helpers/apache.js';
import { CROSS_SITE_MESSAGE } from '../../src/http/middleware/csrf.js';
import { CHROMIUM_PATH, useChromium } from '../helpers/chromium.js';
import { PROVIDERS } from '../helpers/databases.js';
import { startFormPostRp, type FormPostRp } from '../helpers/form-post-rp.js';
import { allowAtSesame, bodyWith, confirmSignOutAtSesame, newPage, pageJson, signInAndAllow, signInAtSesame } from '../helpers/real-rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';
import { startTlsProxy, type TlsProxy } from '../helpers/tls-proxy.js';
import { modAuthOpenidcConfig } from './rp-mod-auth-openidc.config.js';

const PERSON = { email: 'poster@example.com', password: 'posted from another site', name: 'Paula Post' };
const INTRUDER = { email: 'mallory@example.com', password: 'signs victims in as herself', name: 'Mallory' };
const APP = 'Form-posting app';

const browser = useChromium();

/** The claims the RP printed once the browser reached its callback. */
async function claimsAtCallback(page: Page, rp: FormPostRp): Promise<Record<string, unknown>> {
  await page.waitForURL(`${rp.redirectUri}**`);
  const result = await pageJson<{ claims?: Record<string, unknown>; error?: string; error_description?: string }>(page);
  if (!result.claims) throw new Error(`the RP got no tokens: ${JSON.stringify(result)}`);
  return result.claims;
}

/** Requests the page sends to `url` (exactly, no query), from now on. */
function requestsTo(page: Page, url: string): Request[] {
  const seen: Request[] = [];
  page.on('request', (request) => {
    if (request.url() === url) seen.push(request);
  });
  return seen;
}

async function cookie(context: BrowserContext, origin: string, name: string) {
  const found = (await context.cookies(origin)).find((c) => c.name === name);
  expect(found, `${name} in ${JSON.stringify(await context.cookies(origin))}`).toBeDefined();
  return found!;
}

describe.runIf(CHROMIUM_PATH).each(PROVIDERS)('authorization requests by POST from another site, https issuer, on %s', (provider) => {
  let proxy: TlsProxy;
  let sesame: TestSesame;
  let rp: FormPostRp;
  let context: BrowserContext;
  let page: Page;
  let issuer: string;
  let clientId: string;

  beforeAll(async () => {
    proxy = await startTlsProxy();
    issuer = proxy.url;
    sesame = await startTestSesame({ provider, env: { ISSUER: issuer } });
    // sesame.issuer is the instance's own http address here: the proxy's upstream.
    proxy.route(sesame.issuer);
    await sesame.container.accounts.create(PERSON);
    await sesame.container.accounts.create(INTRUDER);
    rp = await startFormPostRp();
    const client = await sesame.container.clients.create({
      client_name: APP,
      redirect_uris: [rp.redirectUri],
      post_logout_redirect_uris: [`${rp.url}/signed-out`],
    });
    clientId = client.client_id;
    await rp.configure({ issuer, clientId, clientSecret: client.client_secret!, fetch: proxy.fetch });
    page = await newPage(browser(), { ignoreHTTPSErrors: true });
    context = page.context();
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await rp?.close();
    await sesame?.close();
    await proxy?.close();
  });

  it('The OpenID conformance expectation holds: a form-POSTed authorization request signs in', async () => {
    expect(new URL(rp.url).hostname).not.toBe(new URL(issuer).hostname);
    const posted = requestsTo(page, `${issuer}/auth`);
    await page.goto(`${rp.url}/start?method=post`);
    await signInAtSesame(page, PERSON);
    await allowAtSesame(page, APP);
    const claims = await claimsAtCallback(page, rp);
    expect(claims).toMatchObject({ sub: expect.any(String), email: PERSON.email, name: PERSON.name });
    // The request went by POST, its parameters in the body.
    expect(posted.map((request) => request.method())).toEqual(['POST']);
    const body = new URLSearchParams(posted[0]!.postData() ?? '');
    expect(body.get('code_challenge_method')).toBe('S256');
    expect(body.get('redirect_uri')).toBe(rp.redirectUri);
  }, 90_000);

  it('sets the session cookie SameSite=None; Secure (and only that one), so the next form POST from the RP signs in without a password', async () => {
    for (const name of ['_session', '_session.sig']) {
      expect(await cookie(context, issuer, name)).toMatchObject({ sameSite: 'None', secure: true, httpOnly: true });
    }
    // Sesame's own cookies (the form's CSRF secret) stay SameSite=Lax.
    expect(await cookie(context, issuer, '__Host-sesame.csrf')).toMatchObject({ sameSite: 'Lax', secure: true, httpOnly: true });
    for (const other of await context.cookies(issuer)) {
      if (!other.name.startsWith('_session')) expect(other.sameSite, other.name).toBe('Lax');
    }

    const first = await claimsAtCallback(page, rp);
    const pages: string[] = [];
    const onRequest = (request: Request) => {
      if (request.url().startsWith(`${issuer}/interaction/`)) pages.push(request.url());
    };
    page.on('request', onRequest);
    try {
      await page.goto(`${rp.url}/start?method=post`);
      expect(await claimsAtCallback(page, rp)).toMatchObject({ sub: first.sub, email: PERSON.email });
      // prompt=none by POST: the session answers at once.
      await page.goto(`${rp.url}/start?method=post&prompt=none`);
      expect(await claimsAtCallback(page, rp)).toMatchObject({ sub: first.sub });
    } finally {
      page.off('request', onRequest);
    }
    // No sign-in or consent page on the way.
    expect(pages).toEqual([]);
  }, 90_000);

  it("refuses Sesame's sign-in, consent and logout forms posted from another site, though the session cookie goes with them", async () => {
    const { sub } = await (async () => {
      await page.goto(`${rp.url}/start?method=post&prompt=none`);
      return claimsAtCallback(page, rp);
    })();

    /** Posts `fields` to `path` on Sesame from the RP's site: the answer, and the Cookie header the browser sent. */
    const postFromAnotherSite = async (path: string, fields: Record<string, string>) => {
      const target = `${issuer}${path}`;
      const sent = page.waitForRequest((request) => request.url() === target && request.method() === 'POST');
      const answered = page.waitForResponse((response) => response.url() === target);
      await page.goto(`${rp.url}/post-form?${new URLSearchParams({ to: target, ...fields })}`);
      const cookies = (await (await sent).allHeaders()).cookie ?? '';
      const response = await answered;
      return { status: response.status(), cookies, text: await bodyWith(page, 'another site') };
    };
    const interactionUid = async (start: string) => {
      await page.goto(`${rp.url}/start?method=get&${start}`);
      await page.waitForURL(`${issuer}/interaction/**`);
      return new URL(page.url()).pathname.split('/')[2]!;
    };

    // Sign-in: an intruder's form that would sign the person in as the intruder (login CSRF).
    const login = await interactionUid('prompt=login');
    const signIn = await postFromAnotherSite(`/interaction/${login}/login`, { email: INTRUDER.email, password: INTRUDER.password });
    expect(signIn.status).toBe(403);
    expect(signIn.text).toContain(CROSS_SITE_MESSAGE);
    expect(signIn.cookies).toMatch(/(^|; )_session=/);
    await page.goto(`${issuer}/interaction/${login}`);
    await page.getByLabel('Password').waitFor();

    // Consent: an intruder's Allow.
    const consent = await interactionUid('prompt=consent');
    const allow = await postFromAnotherSite(`/interaction/${consent}/confirm`, {});
    expect(allow.status).toBe(403);
    expect(allow.text).toContain(CROSS_SITE_MESSAGE);
    expect(allow.cookies).toMatch(/(^|; )_session=/);
    await page.goto(`${issuer}/interaction/${consent}`);
    await page.getByRole('heading', { name: `Allow ${APP}?` }).waitFor();

    // Logout confirmation: an intruder's "Sign out", with and without a made-up token.
    for (const fields of [{ logout: 'yes' }, { logout: 'yes', xsrf: 'made-up' }] as Record<string, string>[]) {
      const logout = await postFromAnotherSite('/session/end/confirm', fields);
      expect(logout.status).toBe(403);
      expect(logout.text).toContain(CROSS_SITE_MESSAGE);
      expect(logout.cookies).toMatch(/(^|; )_session=/);
    }

    // Nothing happened: the person is still signed in as themselves.
    await page.goto(`${rp.url}/start?method=post&prompt=none`);
    expect(await claimsAtCallback(page, rp)).toMatchObject({ sub, email: PERSON.email });
  }, 90_000);

  it("takes an RP-initiated logout form-POSTed from the RP's site: the session goes with it, the confirmation page, then signed out", async () => {
    const postLogout = `${rp.url}/signed-out`;
    await page.goto(`${rp.url}/post-form?${new URLSearchParams({ to: `${issuer}/session/end`, client_id: clientId, post_logout_redirect_uri: postLogout })}`);
    await confirmSignOutAtSesame(page, APP);
    await page.waitForURL(`${postLogout}**`);
    await page.goto(`${rp.url}/start?method=post&prompt=none`);
    await page.waitForURL(`${rp.redirectUri}**`);
    expect(await pageJson(page)).toMatchObject({ error: 'login_required' });
  }, 90_000);
});

describe.runIf(CHROMIUM_PATH).each(PROVIDERS)('authorization requests by POST, http issuer (development), on %s', (provider) => {
  let sesame: TestSesame;
  /** On 127.0.0.1: another site than the issuer on localhost. */
  let elsewhere: FormPostRp;
  /** On localhost: the issuer's site. */
  let sameSite: FormPostRp;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    await sesame.container.accounts.create(PERSON);
    elsewhere = await startFormPostRp('127.0.0.1');
    sameSite = await startFormPostRp('localhost');
    for (const rp of [elsewhere, sameSite]) {
      const client = await sesame.container.clients.create({ client_name: APP, redirect_uris: [rp.redirectUri] });
      await rp.configure({ issuer: sesame.issuer, clientId: client.client_id, clientSecret: client.client_secret! });
    }
    page = await newPage(browser());
    context = page.context();
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await elsewhere?.close();
    await sameSite?.close();
    await sesame?.close();
  });

  it('The OpenID conformance expectation holds on http too: a form-POSTed authorization request signs in, with a SameSite=Lax session cookie', async () => {
    const posted = requestsTo(page, `${sesame.issuer}/auth`);
    await page.goto(`${elsewhere.url}/start?method=post`);
    await signInAtSesame(page, PERSON);
    await allowAtSesame(page, APP);
    expect(await claimsAtCallback(page, elsewhere)).toMatchObject({ email: PERSON.email, name: PERSON.name });
    expect(posted.map((request) => request.method())).toEqual(['POST']);
    for (const name of ['_session', '_session.sig']) {
      expect(await cookie(context, sesame.issuer, name)).toMatchObject({ sameSite: 'Lax', secure: false, httpOnly: true });
    }
  }, 90_000);

  it('a POST from the same site finds the session; from another site it does not (SameSite=Lax), a GET from there does', async () => {
    await page.goto(`${sameSite.url}/start?method=post`);
    await allowAtSesame(page, APP);
    const { sub } = await claimsAtCallback(page, sameSite);
    await page.goto(`${sameSite.url}/start?method=post&prompt=none`);
    expect(await claimsAtCallback(page, sameSite)).toMatchObject({ sub });

    await page.goto(`${elsewhere.url}/start?method=get&prompt=none`);
    expect(await claimsAtCallback(page, elsewhere)).toMatchObject({ sub });
    await page.goto(`${elsewhere.url}/start?method=post&prompt=none`);
    await page.waitForURL(`${elsewhere.redirectUri}**`);
    expect(await pageJson(page)).toMatchObject({ error: 'login_required' });
  }, 90_000);
});

describe.runIf(CHROMIUM_PATH && MOD_AUTH_OPENIDC).each(PROVIDERS)(
  'mod_auth_openidc sending its authorization request by POST, https issuer, on %s',
  (provider) => {
    let proxy: TlsProxy;
    let sesame: TestSesame;
    let apache: RunningApache;
    let context: BrowserContext;
    let page: Page;

    beforeAll(async () => {
      proxy = await startTlsProxy();
      sesame = await startTestSesame({ provider, env: { ISSUER: proxy.url } });
      proxy.route(sesame.issuer);
      await sesame.container.accounts.create(PERSON);
      apache = await startApache({
        oidc: async (url) => {
          const client = await sesame.container.clients.create({ client_name: APP, redirect_uris: [`${url}/protected/redirect_uri`] });
          return [
            modAuthOpenidcConfig({ issuer: proxy.url, url, clientId: client.client_id, clientSecret: client.client_secret! }),
            // An auto-posting form instead of a redirect.
            'OIDCProviderAuthRequestMethod POST',
            // The TLS proxy's certificate is self-signed.
            'OIDCSSLValidateServer Off',
          ].join('\n');
        },
      });
      page = await newPage(browser(), { ignoreHTTPSErrors: true });
      context = page.context();
    }, 60_000);

    afterAll(async () => {
      await context?.close();
      await apache?.stop();
      await sesame?.close();
      await proxy?.close();
    });

    it('signs in and passes the claims to the app', async () => {
      const posted = requestsTo(page, `${proxy.url}/auth`);
      await page.goto(`${apache.url}/protected/env.shtml`);
      await signInAndAllow(page, PERSON, APP, `${apache.url}/protected/env.shtml`);
      const env = parseEnvPage(await page.locator('#env').innerText());
      try {
        expect(posted.map((request) => request.method())).toEqual(['POST']);
        expect(env).toMatchObject({ OIDC_CLAIM_name: PERSON.name, OIDC_CLAIM_email: PERSON.email, OIDC_CLAIM_iss: proxy.url });
      } catch (error) {
        console.error(apache.errorLog(), env);
        throw error;
      }
    }, 90_000);
  },
);
