// Single sign-on and single sign-out as a person sees them, in real Chromium: two demo apps
// (examples/demo-rp) on one Sesame, then on two Sesame instances behind a round-robin proxy so that
// consecutive requests of one journey land on different instances. Screenshots of every step go
// to test-results/screenshots/ (not committed).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContainer, type Container } from '../../src/container.js';
import { silentLogger } from '../../src/logger.js';
import { createDemoApp, SCOPE } from '../../examples/demo-rp/app.js';
import { CHROMIUM_PATH, launchChromium, screenshotDir } from '../helpers/chromium.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { TEST_DATABASE_URL } from '../helpers/environment.js';
import { startInstance, stopInstance, type Instance } from '../helpers/instances.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../helpers/round-robin-proxy.js';
import { startTestSesame, TEST_SECRETS, type TestSesame } from '../helpers/sesame.js';

const USER = { email: 'journey@example.com', password: 'single sign-on for everyone', name: 'Joan Journey' };

interface Topology {
  issuer: string;
  container: Container;
  close(): Promise<void>;
}

async function listening(): Promise<{ server: Server; url: string }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://localhost:${(server.address() as AddressInfo).port}` };
}

/** Registers both demo apps as clients and starts them on free ports. */
async function startApps(topology: Topology) {
  const apps = [];
  for (const name of ['App A', 'App B']) {
    const { server, url } = await listening();
    const client = await topology.container.clients.create({
      client_name: name,
      redirect_uris: [`${url}/callback`],
      post_logout_redirect_uris: [`${url}/`],
      backchannel_logout_uri: `${url}/backchannel-logout`,
      resources: [`${url}/api`],
      scope: SCOPE,
    });
    const demo = await createDemoApp({ name, baseUrl: url, issuer: topology.issuer, clientId: client.client_id, clientSecret: client.client_secret! });
    server.on('request', demo.app.callback());
    apps.push({ name, url, clientId: client.client_id, server });
  }
  return apps;
}

async function oneInstance(): Promise<Topology> {
  const sesame: TestSesame = await startTestSesame();
  return { issuer: sesame.issuer, container: sesame.container, close: () => sesame.close() };
}

async function twoInstancesBehindProxy(): Promise<Topology & { proxy: RoundRobinProxy }> {
  const db: TestDatabase = await createTestDatabase('postgresql', { migrated: false });
  // The proxy first: its address is the issuer both instances are started with.
  const proxy = await startRoundRobinProxy();
  const env = { DATABASE_URL: db.url, ...TEST_SECRETS, ISSUER: proxy.url };
  const instances: Instance[] = await Promise.all([startInstance(env), startInstance(env)]);
  proxy.route(instances.map((instance) => instance.url));
  const container = await createContainer(loadConfig({ NODE_ENV: 'test', ...env }), silentLogger);
  return {
    issuer: proxy.url,
    container,
    proxy,
    async close() {
      await container.close();
      await Promise.all(instances.map(stopInstance));
      await proxy.close();
      await db.drop();
    },
  };
}

const topologies: [string, () => Promise<Topology & { proxy?: RoundRobinProxy }>][] = [['one instance', oneInstance]];
if (TEST_DATABASE_URL) topologies.push(['two instances behind a round-robin proxy', twoInstancesBehindProxy]);

describe.runIf(CHROMIUM_PATH).each(topologies)('single sign-on in Chromium: %s', (label, start) => {
  let topology: Topology & { proxy?: RoundRobinProxy };
  let apps: Awaited<ReturnType<typeof startApps>>;
  let browser: Browser;
  let page: Page;
  let step = 0;
  const shots = screenshotDir(label.replace(/\W+/g, '-'));
  const shot = async (name: string) => {
    step++;
    await page.screenshot({ path: join(shots, `${String(step).padStart(2, '0')}-${name}.png`) });
  };

  beforeAll(async () => {
    topology = await start();
    await topology.container.accounts.create({ ...USER, emailVerified: true });
    apps = await startApps(topology);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 420, height: 760 } })).newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const app of apps ?? []) app.server.close();
    await topology?.close();
  });

  it('signs in once for both apps and signs out of both at once', async () => {
    const [a, b] = apps as [(typeof apps)[0], (typeof apps)[0]];

    // App A → Sesame's login page → sign in → consent → back in A, signed in.
    await page.goto(a.url);
    await shot('app-a-signed-out');
    await page.getByRole('link', { name: 'Sign in', exact: true }).click();
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill(USER.password);
    await shot('sesame-login');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: /App A/ }).waitFor();
    await shot('sesame-consent-app-a');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${a.url}/`);
    expect(await page.textContent('body')).toContain(`Signed in as ${USER.name}`);
    await shot('app-a-signed-in');

    // A calls its API with an access token it verifies against jwks_uri.
    await page.getByRole('link', { name: 'Call the API' }).click();
    await page.getByText('"sub"').or(page.getByText('sub')).first().waitFor();
    expect(await page.textContent('body')).toMatch(/api/);
    await shot('app-a-api');

    // App B → signed in without typing a password (consent once).
    await page.goto(b.url);
    await page.getByRole('link', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    expect(await page.getByLabel('Password').count()).toBe(0);
    await shot('sesame-consent-app-b');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${b.url}/`);
    expect(await page.textContent('body')).toContain(`Signed in as ${USER.name}`);
    await shot('app-b-signed-in');

    // Sign out in A (RP-initiated logout, confirmed on Sesame's page that names the app).
    await page.goto(a.url);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: /Sign out of App A/ }).waitFor();
    await shot('sesame-logout-confirm');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${a.url}/`);
    expect(await page.textContent('body')).toContain('You are not signed in');
    await shot('app-a-signed-out-again');

    // B is signed out too: Sesame told it through back-channel logout.
    await page.goto(b.url);
    expect(await page.textContent('body')).toContain('You are not signed in');
    await shot('app-b-signed-out');

    // And Sesame has no session left: a prompt=none request fails with login_required.
    const silent = new URL(`${topology.issuer}/auth`);
    silent.search = new URLSearchParams({
      client_id: b.clientId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: `${b.url}/callback`,
      prompt: 'none',
      state: 'journey',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    const redirects: string[] = [];
    page.on('request', (request) => redirects.push(request.url()));
    await page.goto(silent.toString());
    expect(redirects.some((url) => url.startsWith(`${b.url}/callback`) && url.includes('error=login_required'))).toBe(true);

    if (topology.proxy) {
      // The journey really was spread over both instances.
      expect(Math.min(...topology.proxy.counts)).toBeGreaterThan(5);
    }
  });
});
