// Everything that matters survives a restart on the same database: users, clients, sessions, keys.
import { afterAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { createTestDatabase, PROVIDERS, type TestDatabase } from '../helpers/databases.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame } from '../helpers/sesame.js';

describe.each(PROVIDERS)('restart on %s', (provider) => {
  let db: TestDatabase;
  afterAll(async () => db?.drop());

  it('keeps users, clients, sessions and signing keys', async () => {
    db = await createTestDatabase(provider);
    const user = { email: 'lin@example.com', password: 'restart-proof password' };

    const first = await startTestSesame({ db });
    await first.container.accounts.create(user);
    const client = await first.container.clients.create({ client_name: 'Survivor', redirect_uris: [REDIRECT_URI] });
    const browser = new TestBrowser(first.issuer);
    const config1 = await discover(first.issuer, client.client_id, client.client_secret);
    const start = await startAuthorization(config1);
    const tokens = await exchange(config1, await signIn(browser, start, user), start);
    const jwksBefore = await (await fetch(`${first.issuer}/jwks`)).json();
    const keysBefore = await first.container.keys.list();
    await first.close();

    const second = await startTestSesame({ db });
    try {
      expect(await second.container.keys.list()).toEqual(keysBefore);
      expect(await (await fetch(`${second.issuer}/jwks`)).json()).toEqual(jwksBefore);
      expect(await second.container.accounts.authenticate(user.email, user.password)).toMatchObject({
        accountId: tokens.claims()!.sub,
      });

      // The browser's session cookie from before the restart still signs the person in silently.
      const config2 = await discover(second.issuer, client.client_id, client.client_secret);
      const silent = await startAuthorization(config2, { prompt: 'none' });
      const withCookies = new TestBrowser(second.issuer);
      for (const [name, cookie] of browser.cookies) withCookies.cookies.set(name, cookie);
      const callback = await withCookies.request(silent.url.toString());
      expect(new URL(callback.url).searchParams.get('error')).toBeNull();
      const again = await exchange(config2, new URL(callback.url), silent);
      expect(again.claims()!.sub).toBe(tokens.claims()!.sub);
    } finally {
      await second.close();
    }
  });
});
