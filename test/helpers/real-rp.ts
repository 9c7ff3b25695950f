// What the tests with real relying parties (test/e2e/rp-*.test.ts) share: a server on a free port
// under a chosen host name, and the steps a person takes on Sesame's own pages in Chromium.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';

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

/** On Sesame's login page: types the email and password and signs in. */
export async function signInAtSesame(page: Page, person: Person): Promise<void> {
  await page.getByLabel('Email').fill(person.email, { timeout: STEP_TIMEOUT_MS });
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
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
