// The console's session lives on the server and its forms' CSRF tokens are bound to it: a planted
// anonymous cookie and token do not make an admin's browser create an admin, a form from another
// origin is refused, and signing out ends the session for every copy of the cookie.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const ADMIN = { email: 'root@example.com', password: 'administrators only please', isAdmin: true, emailVerified: true };

async function signInToConsole(browser: TestBrowser, path = '/admin/users'): Promise<Page> {
  let page = await browser.request(path);
  page = await browser.submit(page, '/login', { email: ADMIN.email, password: ADMIN.password });
  if (page.html.includes('/confirm')) page = await browser.submit(page, '/confirm');
  expect(page.status).toBe(200);
  return page;
}

const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1];

describe('console sessions and CSRF', () => {
  let sesame: TestSesame;
  beforeAll(async () => {
    sesame = await startTestSesame();
    await sesame.container.accounts.create(ADMIN);
  });
  afterAll(async () => sesame?.close());

  it("refuses an anonymous visitor's validly signed CSRF cookie and token planted into an admin's browser", async () => {
    const admin = new TestBrowser(sesame.issuer);
    await signInToConsole(admin);

    // Mallory, signed in to nothing, collects a genuine cookie and token from a sign-in page.
    const mallory = new TestBrowser(sesame.issuer);
    const loginPage = await mallory.request('/admin');
    const token = hidden(loginPage.html, 'csrf')!;
    expect(token).toBeTruthy();
    // ... and plants her CSRF cookie (with its signature) into the admin's browser.
    for (const [name, cookie] of mallory.cookies) if (name.startsWith('sesame.csrf')) admin.cookies.set(name, cookie);

    const forged = await admin.request('/admin/users', {
      form: { csrf: token, email: 'mallory@example.com', password: 'mallory was here', is_admin: 'yes' },
    });
    expect(forged.status).toBe(403);
    expect(await sesame.container.accounts.findByEmail('mallory@example.com')).toBeUndefined();
  });

  it("refuses the admin's own form when the browser says it came from another origin", async () => {
    const real = new TestBrowser(sesame.issuer);
    const users = await signInToConsole(real);
    const csrf = hidden(users.html, 'csrf')!;
    // Same session and token; only what the browser says about the form's origin differs.
    const sibling = new TestBrowser(sesame.issuer, { 'sec-fetch-site': 'same-site' });
    for (const [name, cookie] of real.cookies) sibling.cookies.set(name, cookie);
    const forged = await sibling.request('/admin/users', { form: { csrf, email: 'sibling@example.com', password: 'from a sibling subdomain' } });
    expect(forged.status).toBe(403);
    expect(forged.html).toContain('sent from another site');
    expect(await sesame.container.accounts.findByEmail('sibling@example.com')).toBeUndefined();
    // The same form from the console itself goes through.
    const ok = await real.request('/admin/users', { form: { csrf, email: 'colleague@example.com', password: 'a proper colleague' } });
    expect(ok.status).toBe(200);
    expect(await sesame.container.accounts.findByEmail('colleague@example.com')).toBeDefined();
  });

  it('signing out ends the session on the server: a copied cookie opens nothing afterwards', async () => {
    const admin = new TestBrowser(sesame.issuer);
    const page = await signInToConsole(admin, '/admin');
    const copy = new TestBrowser(sesame.issuer);
    for (const [name, cookie] of admin.cookies) copy.cookies.set(name, cookie);
    expect((await copy.request('/admin/users')).status).toBe(200);

    const signedOut = await admin.submit(page, '/admin/logout');
    expect(signedOut.status).toBeLessThan(500);
    const after = await fetch(`${sesame.issuer}/admin/users`, {
      redirect: 'manual',
      headers: { cookie: [...copy.cookies].map(([n, c]) => `${n}=${c.value}`).join('; ') },
    });
    expect(after.status).toBe(302); // off to sign in again
    expect(new URL(after.headers.get('location')!).pathname).toBe('/auth');
    const events = await sesame.container.audit.list({ action: 'console.signed_out' });
    expect(events.events).toHaveLength(1);

    // The database holds a digest of the session id, never the id the cookie carries.
    const rows = await sesame.container.db.prisma.consoleSession.findMany();
    const cookieValue = copy.cookies.get('sesame.console')!.value;
    expect(JSON.stringify(rows)).not.toContain(cookieValue);
  });

  it('shows a locked account and unlocks it from the users page', async () => {
    const locked = await sesame.container.accounts.create({ email: 'locked@example.com', password: 'forgot it five times' });
    for (let i = 0; i < 5; i++) await sesame.container.signInThrottle.failed(locked.email, `192.0.2.${i}`);
    expect(await sesame.container.signInThrottle.accountLockedFor(locked.email)).toBeGreaterThan(0);

    const admin = new TestBrowser(sesame.issuer);
    const users = await signInToConsole(admin);
    expect(users.html).toContain(`aria-label="Unlock ${locked.email}"`);
    const done = await admin.submit(users, `/admin/users/${locked.id}/unlock`);
    expect(done.status).toBe(200);
    expect(done.html).toContain(`Unlocked ${locked.email}`);
    expect(done.html).not.toContain(`aria-label="Unlock ${locked.email}"`);
    expect(await sesame.container.signInThrottle.accountLockedFor(locked.email)).toBe(0);
    const events = await sesame.container.audit.list({ action: 'user.unlocked' });
    expect(events.events[0]).toMatchObject({ target: `user:${locked.id}`, details: { was_locked: true } });
  });
});
