// What the tests with real relying parties (test/e2e/rp-*.test.ts) share: a server on a free port
// under a chosen host name, a fixture of Sesame, a person, an app and a page, and the steps a
// person takes on Sesame's own pages in Chromium.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { Provider } from './databases.js';
import { startTestSesame, type TestSesame } from './sesame.js';

/** Chromium steps wait this long: the machine is shared by parallel test files. */
export const STEP_TIMEOUT_MS = 20_000;

export interface Listening {
  server: Server;
  /** `http://HOST:PORT`, no trailing slash. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `handler` on a free loopback port. `host` is the name the app is reached by: `localhost`
 * (the issuer's site) or `127.0.0.1` (another site: cookies and SameSite treat it as foreign).
 */
export async function listen(handler: RequestListener, host: 'localhost' | '127.0.0.1' = 'localhost'): Promise<Listening> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Person {
  email: string;
  password: string;
  name: string;
}

/** A page in a new context of `browser`, its steps waiting STEP_TIMEOUT_MS; page.context().close() ends both. */
export async function newPage(browser: Browser, options?: BrowserContextOptions): Promise<Page> {
  const page = await (await browser.newContext(options)).newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  return page;
}

/**
 * Listens (as `listen` does) for an app whose client is registered at `sesame` once its URL is
 * known: `metadata` gives the client's registration, `handler` the app for it.
 */
export async function listenAsClient(
  sesame: TestSesame,
  metadata: (url: string) => ClientRegistration,
  handler: (url: string, client: { client_id: string; client_secret?: string }) => RequestListener | Promise<RequestListener>,
): Promise<Listening> {
  const app = await listen(() => undefined);
  const client = await sesame.container.clients.create(metadata(app.url));
  app.server.on('request', await handler(app.url, client));
  return app;
}

/** What `sesame.container.clients.create` takes. */
type ClientRegistration = Parameters<TestSesame['container']['clients']['create']>[0];

export interface RpFixture<App> {
  sesame: TestSesame;
  app: App;
  page: Page;
}

/**
 * Registers the beforeAll and afterAll of a describe block with one real RP: a Sesame on
 * `provider` (with `env`), `person`'s account, the app `start` starts (registering its client),
 * and a page in a new context of `browser()`. Afterwards: the page's context, the app (`stop`)
 * and Sesame are closed. The returned object's fields are set once beforeAll has run.
 */
export function useRpFixture<App>(options: {
  browser: () => Browser;
  provider: Provider;
  env?: Record<string, string>;
  person: Person;
  start: (sesame: TestSesame) => Promise<App>;
  stop: (app: App) => Promise<void>;
}): RpFixture<App> {
  const fixture: Partial<RpFixture<App>> = {};
  beforeAll(async () => {
    fixture.sesame = await startTestSesame({ provider: options.provider, ...(options.env ? { env: options.env } : {}) });
    await fixture.sesame.container.accounts.create(options.person);
    fixture.app = await options.start(fixture.sesame);
    fixture.page = await newPage(options.browser());
  }, 60_000);
  afterAll(async () => {
    await fixture.page?.context().close();
    if (fixture.app !== undefined) await options.stop(fixture.app);
    await fixture.sesame?.close();
  });
  return fixture as RpFixture<App>;
}

/** On Sesame's login page: types the email and password and signs in. */
export async function signInAtSesame(page: Page, person: Person): Promise<void> {
  await page.getByLabel('Email').fill(person.email, { timeout: STEP_TIMEOUT_MS });
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/**
 * On Sesame's login page: signs `person` in, allows `clientName`, and waits until the browser is
 * back at `landing` (a URL or a glob).
 */
export async function signInAndAllow(page: Page, person: Person, clientName: string, landing: string): Promise<void> {
  await signInAtSesame(page, person);
  await allowAtSesame(page, clientName);
  await page.waitForURL(landing);
}

/** On Sesame's consent page for `clientName`: allows. */
export async function allowAtSesame(page: Page, clientName: string): Promise<void> {
  await page.getByRole('heading', { name: `Allow ${clientName}?` }).waitFor({ timeout: STEP_TIMEOUT_MS });
  await page.getByRole('button', { name: 'Allow' }).click();
}

/** On Sesame's logout confirmation for `clientName`: signs out of Sesame. */
export async function confirmSignOutAtSesame(page: Page, clientName: string): Promise<void> {
  await page.getByRole('heading', { name: `Sign out of ${clientName}?` }).waitFor({ timeout: STEP_TIMEOUT_MS });
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
}

/** The text of the page's body once it contains `text`. */
export async function bodyWith(page: Page, text: string | RegExp): Promise<string> {
  await page.locator('body').filter({ hasText: text }).waitFor({ timeout: STEP_TIMEOUT_MS });
  return (await page.textContent('body')) ?? '';
}

/** A JSON document the app printed as the page (Chromium wraps it in <pre>). */
export async function pageJson<T = any>(page: Page): Promise<T> {
  return JSON.parse((await page.locator('body').innerText({ timeout: STEP_TIMEOUT_MS })) || 'null') as T;
}
