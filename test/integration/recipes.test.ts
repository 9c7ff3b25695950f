// The README's recipes (examples/recipes/*.yaml, quoted in full in the README): each file is
// applied to a fresh database, a person signs in with openid-client as that app does (its redirect
// URI, its scopes, PKCE or not, the client secret from the file's env reference), and the test
// checks what the app reads: Grafana's `role`, MinIO's `policy`, and the dashboard's access rule
// admitting a member of devs and refusing everyone else.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfiguration } from '../../src/domain/configuration/apply-service.js';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const RECIPES = join(import.meta.dirname, '..', '..', 'examples', 'recipes');
const PASSWORD = 'recipes test password';
const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

interface Recipe {
  text: string;
  clientId: string;
  redirectUri: string;
  secretVariable: string;
  emails: string[];
}

function recipe(name: string): Recipe {
  const text = readFileSync(join(RECIPES, name), 'utf8');
  const file = parse(text) as { clients: { client_id: string; redirect_uris: string[]; secret: { env: string } }[]; users: { email: string }[] };
  const [client] = file.clients;
  return {
    text,
    clientId: client!.client_id,
    redirectUri: client!.redirect_uris[0]!,
    secretVariable: client!.secret.env,
    emails: file.users.map((u) => u.email),
  };
}

interface App {
  sesame: TestSesame;
  config: oidc.Configuration;
  redirectUri: string;
}

/** A fresh Sesame with the recipe applied (the secret from the variable the file names), and everyone in it given a password. */
async function setUp(provider: (typeof PROVIDERS)[number], r: Recipe): Promise<App> {
  const sesame = await startTestSesame({ provider });
  const secret = randomBytes(32).toString('base64url');
  const declared = parseConfiguration(r.text, { env: { [r.secretVariable]: secret }, baseDir: RECIPES });
  const result = await sesame.container.configuration.apply(declared);
  expect(result.shown).toEqual([]);
  // The people are invited (no password in a file); here they have chosen one.
  for (const email of r.emails) await sesame.container.accounts.setPassword((await sesame.container.accounts.findByEmail(email))!.id, PASSWORD);
  const config = await oidc.discovery(new URL(sesame.issuer), r.clientId, secret, oidc.ClientSecretBasic(secret), {
    execute: [oidc.allowInsecureRequests],
  });
  return { sesame, config, redirectUri: r.redirectUri };
}

/** The app sends the person to Sesame; they sign in; the page they end on (the app's callback, or Sesame's refusal). */
async function signIn(app: App, email: string, options: { scope: string; pkce: boolean }) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(app.config, {
    redirect_uri: app.redirectUri,
    scope: options.scope,
    state,
    nonce,
    ...(options.pkce ? { code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' } : {}),
  });
  const browser = new TestBrowser(app.sesame.issuer);
  let page: Page = await browser.request(url.toString());
  page = await browser.submit(page, '/login', { email, password: PASSWORD });
  if (page.html.includes('/confirm')) page = await browser.submit(page, '/confirm');
  return {
    browser,
    page,
    /** The app's code exchange: the ID token's claims and userinfo. */
    async tokens() {
      expect(page.url.startsWith(app.redirectUri), `${page.status} ${page.url}\n${page.html}`).toBe(true);
      const tokens = await oidc.authorizationCodeGrant(app.config, new URL(page.url), {
        ...(options.pkce ? { pkceCodeVerifier: verifier } : {}),
        expectedState: state,
        expectedNonce: nonce,
      });
      const idToken = tokens.claims()!;
      return { idToken, userinfo: await oidc.fetchUserInfo(app.config, tokens.access_token, idToken.sub) };
    },
  };
}

describe('recipes', () => {
  it('are quoted in the README exactly as the files the tests apply', () => {
    for (const name of ['grafana.yaml', 'minio.yaml', 'oauth2-proxy.yaml']) {
      expect(readme, name).toContain(`\`\`\`yaml\n${readFileSync(join(RECIPES, name), 'utf8')}\`\`\``);
      expect(readme).toContain(`examples/recipes/${name}`);
    }
  });
});

describe.each(PROVIDERS)('recipes on %s', (provider) => {
  describe('Grafana', () => {
    let app: App;
    beforeAll(async () => void (app = await setUp(provider, recipe('grafana.yaml'))));
    afterAll(async () => app?.sesame.close());

    it('gives each person their Grafana role in `role` (role_attribute_path: role), in the ID token and userinfo', async () => {
      // Grafana: scopes openid profile email, use_pkce true.
      for (const [email, role] of [
        ['ada@example.com', 'Admin'],
        ['bob@example.com', 'Viewer'],
      ] as const) {
        const { idToken, userinfo } = await (await signIn(app, email, { scope: 'openid profile email', pkce: true })).tokens();
        expect(idToken).toMatchObject({ email, email_verified: true, role });
        expect(userinfo).toMatchObject({ email, role });
      }
    });
  });

  describe('MinIO', () => {
    let app: App;
    beforeAll(async () => void (app = await setUp(provider, recipe('minio.yaml'))));
    afterAll(async () => app?.sesame.close());

    it('gives each person their MinIO policy in `policy` (MINIO_IDENTITY_OPENID_CLAIM_NAME=policy), without PKCE as MinIO signs in', async () => {
      for (const [email, policy] of [
        ['ada@example.com', 'consoleAdmin'],
        ['bob@example.com', 'readonly'],
      ] as const) {
        const { idToken, userinfo } = await (await signIn(app, email, { scope: 'openid profile email', pkce: false })).tokens();
        expect(idToken).toMatchObject({ email, policy });
        expect(userinfo).toMatchObject({ policy });
      }
    });
  });

  describe('oauth2-proxy', () => {
    let app: App;
    beforeAll(async () => void (app = await setUp(provider, recipe('oauth2-proxy.yaml'))));
    afterAll(async () => app?.sesame.close());

    it('admits a member of devs with the standard claims oauth2-proxy reads, and refuses everyone else', async () => {
      const { idToken } = await (await signIn(app, 'ada@example.com', { scope: 'openid email profile', pkce: true })).tokens();
      expect(idToken).toMatchObject({ email: 'ada@example.com', email_verified: true });

      const refused = await signIn(app, 'bob@example.com', { scope: 'openid email profile', pkce: true });
      expect(refused.page.status).toBe(403);
      expect(refused.page.html).toContain('You don\'t have access to <span class="client">Internal dashboard</span>');
      const back = new URL((await refused.browser.submit(refused.page, '/abort')).url);
      expect(back.origin + back.pathname).toBe(app.redirectUri);
      expect(back.searchParams.get('error')).toBe('access_denied');
      expect(back.searchParams.get('code')).toBeNull();
    });
  });
});
