// A relying party built on openid-client, as a real app would use it, plus the steps a person
// takes in the browser in between.
import * as oidc from 'openid-client';
import type { TestBrowser, Page } from './browser.js';

export const REDIRECT_URI = 'http://localhost:8080/callback';
export const POST_LOGOUT_URI = 'http://localhost:8080/signed-out';

export async function discover(issuer: string, clientId: string, clientSecret?: string): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(issuer), clientId, clientSecret, clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
}

export interface AuthorizationStart {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

export async function startAuthorization(config: oidc.Configuration, params: Record<string, string> = {}): Promise<AuthorizationStart> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  return { url, verifier, state, nonce };
}

/** Types the email and password into the login page and submits it. */
export function submitLogin(browser: TestBrowser, page: Page, email: string, password: string): Promise<Page> {
  return browser.submit(page, '/login', { email, password });
}

/** Goes from the authorization URL through login and consent to the RP's callback URL. */
export async function signIn(browser: TestBrowser, start: AuthorizationStart, credentials: { email: string; password: string }): Promise<URL> {
  let page = await browser.request(start.url.toString());
  if (page.html.includes('name="password"')) page = await submitLogin(browser, page, credentials.email, credentials.password);
  if (page.html.includes('/confirm')) page = await browser.submit(page, '/confirm');
  if (!page.url.startsWith(REDIRECT_URI)) throw new Error(`sign-in did not reach the callback: ${page.status} ${page.url}\n${page.html}`);
  return new URL(page.url);
}

export function exchange(config: oidc.Configuration, callback: URL, start: AuthorizationStart) {
  return oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: start.verifier,
    expectedState: start.state,
    expectedNonce: start.nonce,
  });
}

/**
 * An RP configuration for the shared issuer with every endpoint pointed at one instance: what a
 * load balancer does, made deterministic (several instances answer for one issuer).
 */
export async function discoverVia(issuer: string, instance: string, clientId: string, clientSecret?: string): Promise<oidc.Configuration> {
  const metadata = (await discover(issuer, clientId, clientSecret)).serverMetadata();
  const endpoints = Object.fromEntries(
    Object.entries(metadata).map(([k, v]) => [k, k !== 'issuer' && typeof v === 'string' ? v.replace(issuer, instance) : v]),
  ) as typeof metadata;
  const config = new oidc.Configuration(endpoints, clientId, clientSecret);
  oidc.allowInsecureRequests(config);
  return config;
}
