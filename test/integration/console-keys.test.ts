// Revoking a signing key from the console: a confirmation page, then the revocation, and the
// warning an early promotion of the next key carries is shown to the admin who asked for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const ADMIN = { email: 'root@example.com', password: 'administrators only please', isAdmin: true, emailVerified: true };

async function signInToConsole(browser: TestBrowser, path: string): Promise<Page> {
  let page = await browser.request(path);
  page = await browser.submit(page, '/login', { email: ADMIN.email, password: ADMIN.password });
  if (page.html.includes('/confirm')) page = await browser.submit(page, '/confirm');
  expect(page.status).toBe(200);
  return page;
}

describe('console: revoking a signing key', () => {
  let sesame: TestSesame;
  beforeAll(async () => {
    sesame = await startTestSesame();
    await sesame.container.accounts.create(ADMIN);
  });
  afterAll(async () => sesame?.close());

  it('asks first, revokes, and shows what promoting a young next key risks', async () => {
    const before = await sesame.container.keys.list();
    const active = before.find((k) => k.state === 'active')!;
    const next = before.find((k) => k.state === 'next')!;
    const browser = new TestBrowser(sesame.issuer);
    const keys = await signInToConsole(browser, '/admin/keys');
    expect(keys.html).toContain(`aria-label="Revoke ${active.kid}"`);

    const confirm = await browser.request(`/admin/keys/${active.kid}/revoke`);
    expect(confirm.html).toContain('Revoke key');
    expect((await sesame.container.keys.list()).find((k) => k.kid === active.kid)!.state).toBe('active'); // nothing yet

    const done = await browser.submit(confirm, `/admin/keys/${active.kid}/revoke`);
    expect(done.status).toBe(200);
    expect(done.html).toContain(`Revoked ${active.kid}.`);
    // A fresh key set has no retired key to stand in: the young next key signs, and the admin is told.
    expect(done.html).toContain(`Warning: next key ${next.kid} has been served by every instance for 0s`);
    const after = await sesame.container.keys.list();
    expect(after.find((k) => k.kid === active.kid)!.state).toBe('revoked');
    expect(after.find((k) => k.kid === next.kid)!.state).toBe('active');
    const events = await sesame.container.audit.list({ action: 'key.revoked' });
    expect(events.events[0]!.actor).toMatch(/^user:/);
  });

  it('shows how many recent JWKS fetchers have received each next key', async () => {
    await sesame.syncKeys(); // the set the revocation above left, served now rather than at the next poll
    expect((await fetch(`${sesame.issuer}/jwks`, { headers: { 'user-agent': 'console-test-rp/1' } })).status).toBe(200);
    const browser = new TestBrowser(sesame.issuer);
    const keys = await signInToConsole(browser, '/admin/keys');
    const status = await sesame.container.jwksWatch.status();
    const family = status.families[0]!;
    expect(family.received).toBeGreaterThanOrEqual(1);
    expect(keys.html).toContain('Next keys reaching the RPs');
    expect(keys.html).toContain(`${status.recent_fetchers} distinct JWKS fetchers (address and User-Agent) seen within 7d.`);
    expect(keys.html).toContain('The activation gate is off');
    expect(keys.html).toContain(`<td data-label="Next key" class="code nowrap">${family.next!.kid}</td>`);
    expect(keys.html).toContain(`<td data-label="Received by" class="nowrap">${family.received} of ${family.fetchers} (`);
  });

  it('keeps kid, alg, state and dates on one line, compact', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const keys = await signInToConsole(browser, '/admin/keys');
    const row = /<tr>\s*<td data-label="Key ID"[\s\S]*?<\/tr>/.exec(keys.html)![0];
    expect(row).toMatch(/<td data-label="Key ID" class="code nowrap">/);
    expect(row).toMatch(/<td data-label="Alg" class="nowrap">/);
    expect(row).toMatch(/<td data-label="State" class="nowrap">/);
    // Minutes only in the cell; the full time on hover.
    expect(row).toMatch(/<time datetime="[^"]+" title="\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z">\d{4}-\d{2}-\d{2} \d{2}:\d{2}<\/time>/);
  });

  it('offers a refused rotation as a forced one, in console words, after a confirmation', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const keys = await signInToConsole(browser, '/admin/keys');
    expect(keys.html).not.toContain('name="force"');
    const before = await sesame.container.keys.list();

    const refused = await browser.submit(keys, '/admin/keys/rotate');
    expect(refused.status).toBe(409);
    expect(refused.html).toContain('Rotation refused');
    expect(refused.html).toContain('or force the rotation');
    expect(refused.html).not.toContain('--force');
    expect(refused.html).toContain('Force the rotation</button>');
    expect(await sesame.container.keys.list()).toEqual(before); // nothing yet

    // Without the form's token, nothing happens.
    const forged = await browser.request('/admin/keys/rotate', { form: { force: 'yes' } });
    expect(forged.status).toBe(403);
    expect(await sesame.container.keys.list()).toEqual(before);

    const forced = await browser.submit(refused, '/admin/keys/rotate');
    expect(forced.status).toBe(200);
    expect(forced.html).toContain('Rotated:');
    expect((await sesame.container.audit.list({ action: 'key.activated' })).events[0]!.details).toMatchObject({ forced: true });
  });

  it('says on the revoke page that the key leaves the JWKS at once and the next key takes over', async () => {
    const browser = new TestBrowser(sesame.issuer);
    await signInToConsole(browser, '/admin/keys');
    const active = (await sesame.container.keys.list()).find((k) => k.state === 'active')!;
    const confirm = await browser.request(`/admin/keys/${active.kid}/revoke`);
    expect(confirm.html).toContain('removed from the published key set (JWKS) at once');
    expect(confirm.html).toContain('the next key takes over signing at once');
    expect(confirm.html).toContain('Revoke key</button>');
  });
});
