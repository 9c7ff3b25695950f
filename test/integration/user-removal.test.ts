// Deleting or disabling a person ends their sessions and grants whichever way it is done: here
// through the CLI, which once deleted the row and left their sessions and tokens alive.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { TestBrowser } from '../helpers/browser.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, TEST_SECRETS, type TestSesame } from '../helpers/sesame.js';

const USER = { email: 'leaver@example.com', password: 'about to be deleted' };

describe('removing a person', () => {
  let sesame: TestSesame;
  let config: oidc.Configuration;

  beforeAll(async () => {
    sesame = await startTestSesame();
    const client = await sesame.container.clients.create({ client_name: 'Kept', redirect_uris: [REDIRECT_URI] });
    config = await discover(sesame.issuer, client.client_id, client.client_secret);
  });
  afterAll(async () => sesame?.close());

  async function signedIn(): Promise<{ browser: TestBrowser; refreshToken: string }> {
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config, { scope: 'openid offline_access', prompt: 'consent' });
    const tokens = await exchange(config, await signIn(browser, start, USER), start);
    return { browser, refreshToken: tokens.refresh_token! };
  }

  it('sesame users delete ends their sessions and grants, and says how many', async () => {
    await sesame.container.accounts.create(USER);
    const { browser, refreshToken } = await signedIn();
    let stdout = '';
    const code = await runCli(['users', 'delete', USER.email, '--json'], {
      stdout: (s) => void (stdout += s),
      stderr: () => {},
      env: { NODE_ENV: 'test', DATABASE_URL: sesame.db.url, ...TEST_SECRETS },
    });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ deleted: true, revoked_sessions: 1, revoked_grants: 1 });
    await expect(oidc.refreshTokenGrant(config, refreshToken)).rejects.toMatchObject({ error: 'invalid_grant' });
    // The browser is signed out too: a silent request needs a login.
    const silent = await startAuthorization(config, { prompt: 'none' });
    const page = await browser.request(silent.url.toString());
    expect(new URL(page.url).searchParams.get('error')).toBe('login_required');
  });

  it('disabling ends them as well, and enabling does not bring them back', async () => {
    const user = await sesame.container.accounts.create(USER);
    const { refreshToken } = await signedIn();
    const { revoked } = await sesame.container.accounts.setDisabled(user.id, true);
    expect(revoked).toEqual({ revoked_sessions: 1, revoked_grants: 1 });
    expect((await sesame.container.accounts.setDisabled(user.id, false)).revoked).toEqual({ revoked_sessions: 0, revoked_grants: 0 });
    await expect(oidc.refreshTokenGrant(config, refreshToken)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
