// Sign-in in German, in real Chromium: the language comes from the RP's ui_locales, then from the
// browser's Accept-Language, and the whole journey (a wrong password, the sign-in, the consent)
// speaks it, ending with a code the RP exchanges with openid-client.
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, useChromium } from '../helpers/chromium.js';
import { newPage } from '../helpers/real-rp.js';
import { discover, exchange, REDIRECT_URI, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const PERSON = { email: 'greta@example.com', password: 'Kaffee und Kuchen um vier', name: 'Greta Gruber' };
const browser = useChromium();

describe.runIf(CHROMIUM_PATH)('sign-in pages in German', () => {
  let sesame: TestSesame;
  let config: oidc.Configuration;

  beforeAll(async () => {
    sesame = await startTestSesame();
    await sesame.container.accounts.create(PERSON);
    const client = await sesame.container.clients.create({ client_name: 'Wiki', redirect_uris: [REDIRECT_URI] });
    config = await discover(sesame.issuer, client.client_id, client.client_secret);
  }, 60_000);
  afterAll(async () => sesame?.close());

  /** A page whose requests to the RP's callback are answered here, so the code can be read off. */
  async function pageFor(locale: string): Promise<Page> {
    const page = await newPage(browser(), { locale });
    await page.route(`${REDIRECT_URI}**`, (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'back at the app' }));
    return page;
  }

  it('follows ui_locales=de through a wrong password, the sign-in and the consent, and the RP gets its tokens', async () => {
    const page = await pageFor('en-US');
    try {
      const start = await startAuthorization(config, { ui_locales: 'fr de' });
      await page.goto(start.url.toString());
      expect(await page.getAttribute('html', 'lang')).toBe('de');
      await page.getByRole('heading', { name: 'Anmelden' }).waitFor();
      await page.getByLabel('E-Mail').fill(PERSON.email);
      await page.getByLabel('Passwort').fill('nicht das richtige Passwort');
      await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: 'E-Mail oder Passwort ist falsch.' }).waitFor();

      await page.getByLabel('Passwort').fill(PERSON.password);
      await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
      await page.getByRole('heading', { name: 'Wiki erlauben?' }).waitFor();
      expect(await page.textContent('body')).toContain('Ihre E-Mail-Adresse');
      await page.getByRole('button', { name: 'Erlauben' }).click();
      await page.waitForURL(`${REDIRECT_URI}**`);

      const tokens = await exchange(config, new URL(page.url()), start);
      expect(tokens.claims()).toMatchObject({ email: PERSON.email, name: PERSON.name });
    } finally {
      await page.context().close();
    }
  });

  it('speaks the browser language when the RP names none, and the RP ui_locales wins over the browser', async () => {
    const page = await pageFor('de-DE');
    try {
      await page.goto((await startAuthorization(config)).url.toString());
      await page.getByRole('heading', { name: 'Anmelden' }).waitFor();
      expect(await page.getByRole('checkbox', { name: 'Angemeldet bleiben' }).isVisible()).toBe(true);

      await page.goto((await startAuthorization(config, { ui_locales: 'en' })).url.toString());
      await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('en');
    } finally {
      await page.context().close();
    }
  });
});
