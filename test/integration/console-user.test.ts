// The console's page for one person (/admin/users/:id), over HTTP on a real instance: what it
// shows (escaped), editing with a taken email refused next to the field, a password with its
// confirmation, unlocking, sessions and connected apps with revoking, deleting after a
// confirmation page, CSRF on every form, and that an admin cannot demote, disable or delete
// themselves. Also the page a signed-in non-admin gets, and its "Use another account".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const ADMIN = { email: 'root@example.com', password: 'administrators only please', name: 'Root', isAdmin: true, emailVerified: true };

async function signIn(browser: TestBrowser, who: { email: string; password: string }, path: string): Promise<Page> {
  const page = await browser.request(path);
  expect(page.html).toContain('name="password"');
  return browser.submit(page, '/login', { email: who.email, password: who.password });
}

describe.each(PROVIDERS)('console user page on %s', (provider) => {
  let sesame: TestSesame;
  let adminId: string;
  let admin: TestBrowser;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    adminId = (await sesame.container.accounts.create(ADMIN)).id;
    admin = new TestBrowser(sesame.issuer);
    expect((await signIn(admin, ADMIN, '/admin')).status).toBe(200);
  });
  afterAll(async () => sesame?.close());

  const create = (email: string, extra: { name?: string } = {}) => sesame.container.accounts.create({ email, password: 'a perfectly fine password', ...extra });

  it('is linked from the list, shows the person escaped, and a missing id goes back to the list', async () => {
    const user = await create('hostile@example.com', { name: '<img src=x onerror=alert(1)>' });
    const list = await admin.request('/admin/users');
    expect(list.html).toContain(`href="/admin/users/${user.id}"`);
    const page = await admin.request(`/admin/users/${user.id}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page.html).not.toContain('<img src=x');
    expect(page.html).toContain('hostile@example.com');
    expect(page.html).toMatch(/id="user-state">active</);
    expect(page.html).toContain('>Send password reset link</button>');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");

    const missing = await admin.request('/admin/users/no-such-id');
    expect(new URL(missing.url).pathname).toBe('/admin/users');
    expect(missing.html).toContain('There is no such user');
  });

  it('edits email, name, verified and admin; a taken or invalid email is refused next to the field', async () => {
    const user = await create('edit-me@example.com');
    await create('taken@example.com');
    const page = await admin.request(`/admin/users/${user.id}`);
    const saved = await admin.submit(page, `/admin/users/${user.id}`, { email: 'Edited@Example.com', name: 'Edi Ted', email_verified: 'yes', is_admin: 'yes' });
    expect(saved.status).toBe(200);
    expect(saved.html).toContain('Saved.');
    expect(await sesame.container.accounts.get(user.id)).toMatchObject({ email: 'edited@example.com', name: 'Edi Ted', emailVerified: true, isAdmin: true });
    const updated = (await sesame.container.audit.list({ action: 'user.updated' })).events[0]!;
    expect(updated).toMatchObject({ actor: `user:${adminId}`, target: `user:${user.id}` });
    expect(updated.details.changed).toEqual(['email', 'email_verified', 'is_admin', 'name']);

    const clash = await admin.submit(saved, `/admin/users/${user.id}`, { email: 'TAKEN@example.com', name: 'Edi Ted' });
    expect(clash.status).toBe(409);
    expect(clash.html).toContain('id="email-error"');
    expect(clash.html).toContain('a user with email taken@example.com already exists');
    expect(clash.html).toContain('value="TAKEN@example.com"');
    const invalid = await admin.submit(saved, `/admin/users/${user.id}`, { email: 'not an email' });
    expect(invalid.status).toBe(422);
    expect(invalid.html).toContain('is not a valid email address');
    expect((await sesame.container.accounts.get(user.id)).email).toBe('edited@example.com');
  });

  it('sets a password only when both fields match and the policy allows it', async () => {
    const user = await create('password@example.com');
    const page = await admin.request(`/admin/users/${user.id}`);
    const differ = await admin.submit(page, `/admin/users/${user.id}/password`, { new_password: 'brand new password', confirm_password: 'another one' });
    expect(differ.status).toBe(422);
    expect(differ.html).toContain('id="confirm_password-error"');
    const short = await admin.submit(page, `/admin/users/${user.id}/password`, { new_password: 'short', confirm_password: 'short' });
    expect(short.status).toBe(422);
    expect(short.html).toContain('id="new_password-error"');
    expect(await sesame.container.accounts.authenticate(user.email, 'brand new password')).toBeUndefined();

    const set = await admin.submit(page, `/admin/users/${user.id}/password`, { new_password: 'brand new password', confirm_password: 'brand new password' });
    expect(set.html).toContain(`Set a new password for ${user.email}.`);
    expect(set.html).not.toContain('brand new password');
    expect(await sesame.container.accounts.authenticate(user.email, 'brand new password')).toMatchObject({ accountId: user.id });
    expect((await sesame.container.audit.list({ action: 'user.password_set' })).events[0]).toMatchObject({ actor: `user:${adminId}`, details: {} });
  });

  it('unlocks a locked person, and disables and enables them from their page', async () => {
    const user = await create('locked-out@example.com');
    for (let i = 0; i < 5; i++) await sesame.container.signInThrottle.failed(user.email, `192.0.2.${i}`);
    const page = await admin.request(`/admin/users/${user.id}`);
    expect(page.html).toMatch(/id="user-state">locked</);
    const unlocked = await admin.submit(page, `/admin/users/${user.id}/unlock`);
    expect(new URL(unlocked.url).pathname).toBe(`/admin/users/${user.id}`);
    expect(unlocked.html).toContain(`Unlocked ${user.email}`);
    expect(await sesame.container.signInThrottle.accountLockedFor(user.email)).toBe(0);

    const disabled = await admin.submit(unlocked, `/admin/users/${user.id}/disable`);
    expect(new URL(disabled.url).pathname).toBe(`/admin/users/${user.id}`);
    expect(disabled.html).toMatch(/id="user-state">disabled</);
    const enabled = await admin.submit(disabled, `/admin/users/${user.id}/enable`);
    expect(enabled.html).toMatch(/id="user-state">active</);
  });

  it("lists a person's sessions and connected apps, and ends one or all of them", async () => {
    const password = 'a perfectly fine password';
    const user = await create('signed-in@example.com');
    // Two browsers sign in to the console's client: two sessions, one app (the console, refused as non-admin).
    for (let i = 0; i < 2; i++) expect((await signIn(new TestBrowser(sesame.issuer), { email: user.email, password }, '/admin')).status).toBe(403);
    const listed = await sesame.container.userSessions.list(user.id);
    expect(listed.sessions).toHaveLength(2);

    const page = await admin.request(`/admin/users/${user.id}`);
    expect(page.html).toContain('Sesame console');
    const first = listed.sessions[0]!.uid;
    expect(page.html).toContain(`aria-label="End session ${first}"`);
    const one = await admin.submit(page, `/admin/users/${user.id}/sessions/${first}/revoke`);
    expect(one.html).toContain('Ended the session');
    expect((await sesame.container.userSessions.list(user.id)).sessions.map((s) => s.uid)).not.toContain(first);

    const all = await admin.submit(one, `/admin/users/${user.id}/sessions/revoke-all`);
    expect(all.html).toMatch(/Ended 1 sessions and \d+ app grants/);
    expect(await sesame.container.userSessions.list(user.id)).toEqual({ sessions: [], grants: [] });
    expect(all.html).toContain('No browser sessions.');
    expect((await sesame.container.audit.list({ action: 'session.revoked' })).events[0]).toMatchObject({ actor: `user:${adminId}`, details: { scope: 'all' } });
  });

  it('deletes after a confirmation page', async () => {
    const user = await create('delete-me@example.com');
    const page = await admin.request(`/admin/users/${user.id}`);
    const confirm = await admin.request(`/admin/users/${user.id}/delete`);
    expect(confirm.html).toContain('Delete delete-me@example.com?');
    expect(await sesame.container.accounts.findById(user.id)).toBeDefined(); // nothing yet
    expect(page.html).toContain(`href="/admin/users/${user.id}/delete"`);
    const deleted = await admin.submit(confirm, `/admin/users/${user.id}/delete`);
    expect(new URL(deleted.url).pathname).toBe('/admin/users');
    expect(deleted.html).toContain('Deleted delete-me@example.com.');
    expect(await sesame.container.accounts.findById(user.id)).toBeUndefined();
  });

  it('refuses every form without its CSRF token', async () => {
    const user = await create('csrf@example.com');
    for (const [path, form] of [
      [`/admin/users/${user.id}`, { email: 'forged@example.com' }],
      [`/admin/users/${user.id}/password`, { new_password: 'forged password!', confirm_password: 'forged password!' }],
      [`/admin/users/${user.id}/sessions/revoke-all`, {}],
      [`/admin/users/${user.id}/delete`, {}],
    ] as const) {
      const forged = await admin.request(path, { form: { ...form } });
      expect(forged.status, path).toBe(403);
    }
    expect(await sesame.container.accounts.get(user.id)).toMatchObject({ email: 'csrf@example.com' });
    expect(await sesame.container.accounts.authenticate(user.email, 'forged password!')).toBeUndefined();
  });

  it('keeps an admin from demoting, disabling or deleting themselves', async () => {
    const page = await admin.request(`/admin/users/${adminId}`);
    expect(page.html).toContain('You cannot disable or delete yourself');
    expect(page.html).not.toContain(`/admin/users/${adminId}/disable`);
    expect(page.html).not.toContain(`href="/admin/users/${adminId}/delete"`);
    const demote = await admin.submit(page, `/admin/users/${adminId}`, { email: ADMIN.email, name: 'Root', is_admin: '' });
    expect(demote.status).toBe(409);
    expect(demote.html).toContain('You cannot remove the admin role from yourself');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.html)![1]!;
    const selfDisable = await admin.request(`/admin/users/${adminId}/disable`, { form: { csrf, back: 'user' } });
    expect(selfDisable.html).toContain('You cannot disable yourself');
    const selfDelete = await admin.request(`/admin/users/${adminId}/delete`, { form: { csrf } });
    expect(selfDelete.html).toContain('You cannot delete yourself');
    expect(await sesame.container.accounts.get(adminId)).toMatchObject({ isAdmin: true, disabled: false });
  });

  it('offers a signed-in non-admin a sign-out and a fresh sign-in as someone else', async () => {
    const outsider = await create('outsider@example.com');
    const browser = new TestBrowser(sesame.issuer);
    const refused = await signIn(browser, { email: outsider.email, password: 'a perfectly fine password' }, '/admin');
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('is not an administrator');
    expect(refused.html).toContain('outsider@example.com');
    expect(refused.html).toContain('>Sign out</button>');
    expect(refused.html).toContain('href="/admin/sign-in/another-account"');

    // Single sign-on would answer for them; "Use another account" asks for a password again.
    const again = await browser.request('/admin');
    expect(again.status).toBe(403);
    const another = await fetch(`${sesame.issuer}/admin/sign-in/another-account`, { redirect: 'manual' });
    expect(new URL(another.headers.get('location')!).searchParams.get('prompt')).toBe('login');
    const fresh = await browser.request('/admin/sign-in/another-account');
    expect(fresh.html).toContain('name="password"');
    let asAdmin = await browser.submit(fresh, '/login', { email: ADMIN.email, password: ADMIN.password });
    // Another account in the same browser: Sesame ends the outsider's session first (its page posts
    // itself in a browser with JavaScript), then the sign-in completes.
    if (asAdmin.html.includes('/session/end/confirm')) asAdmin = await browser.submit(asAdmin, '/session/end/confirm');
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.html).toContain('Overview');

    // Sign out: Sesame's logout confirmation, then the console's signed-out page.
    const other = new TestBrowser(sesame.issuer);
    const page = await signIn(other, { email: outsider.email, password: 'a perfectly fine password' }, '/admin');
    const form = other.form(page, '/session/end');
    const confirm = await other.request(`${form.action}?${new URLSearchParams(form.fields).toString()}`);
    expect(new URL(confirm.url).pathname).toBe('/session/end');
    const done = await other.submit(confirm, '/session/end/confirm', { logout: 'yes' });
    expect(done.html).toContain('You are signed out of the Sesame console.');
    expect((await other.request('/admin')).html).toContain('name="password"');
  });

  it("speaks a non-admin's language on every console page they reach, and English by default", async () => {
    const outsider = await create('draussen@example.com');
    const password = 'a perfectly fine password';
    const german = new TestBrowser(sesame.issuer, { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' });
    const refused = await signIn(german, { email: outsider.email, password }, '/admin');
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('<html lang="de">');
    expect(refused.html).toContain('<title>Kein Administrator · Sesame-Konsole</title>');
    expect(refused.html).toContain('<h1>Kein Administrator</h1>');
    expect(refused.html).toContain('Sie sind bei Sesame als <strong>draussen@example.com</strong> angemeldet.');
    expect(refused.html).toContain('>Abmelden</button>');
    expect(refused.html).toContain('<a class="button" href="/admin/sign-in/another-account">Anderes Konto verwenden</a>');
    expect(refused.html).not.toMatch(/Not an administrator|Sign out|Use another account|signed in/);

    // Signing out: Sesame's logout confirmation and then the console's signed-out page, in German.
    const form = german.form(refused, '/session/end');
    const confirm = await german.request(`${form.action}?${new URLSearchParams(form.fields).toString()}`);
    const done = await german.submit(confirm, '/session/end/confirm', { logout: 'yes' });
    expect(new URL(done.url).pathname).toBe('/admin');
    expect(done.html).toContain('<html lang="de">');
    expect(done.html).toContain('Sie sind von der Sesame-Konsole abgemeldet.');
    expect(done.html).toContain('>Erneut anmelden</a>');

    // A sign-in callback without its flow (expired, or from another browser): the failure page.
    const failed = await german.request('/admin/callback?code=x&state=y');
    expect(failed.status).toBe(400);
    expect(failed.html).toContain('<h1>Anmeldung fehlgeschlagen</h1>');
    expect(failed.html).toContain('Diese Anmeldung ist abgelaufen oder wurde in einem anderen Browser begonnen.');
    expect(failed.html).toContain('>Von vorn beginnen</a>');

    // No Accept-Language (or one Sesame does not speak): the same pages in English.
    const english = new TestBrowser(sesame.issuer, { 'accept-language': 'fr-FR' });
    const refusedEn = await signIn(english, { email: outsider.email, password }, '/admin');
    expect(refusedEn.status).toBe(403);
    expect(refusedEn.html).toContain('<html lang="en">');
    expect(refusedEn.html).toContain('<h1>Not an administrator</h1>');
    expect(refusedEn.html).toContain('You are signed in to Sesame as <strong>draussen@example.com</strong>.');
    expect(refusedEn.html).toContain('>Sign out</button>');
    expect(refusedEn.html).toContain('>Use another account</a>');
    const failedEn = await new TestBrowser(sesame.issuer).request('/admin/callback?code=x&state=y');
    expect(failedEn.html).toContain('<html lang="en">');
    expect(failedEn.html).toContain('This sign-in has expired or was started in another browser. Start again.');
    const signedOutEn = await new TestBrowser(sesame.issuer).request('/admin?state=signed-out');
    expect(signedOutEn.html).toContain('<html lang="en">');
    expect(signedOutEn.html).toContain('You are signed out of the Sesame console.');
    const signedOutDe = await new TestBrowser(sesame.issuer, { 'accept-language': 'de' }).request('/admin?state=signed-out');
    expect(signedOutDe.html).toContain('<title>Abgemeldet · Sesame-Konsole</title>');

    // An admin's own console stays English whatever the browser asks for.
    const germanAdmin = new TestBrowser(sesame.issuer, { 'accept-language': 'de' });
    const overview = await signIn(germanAdmin, ADMIN, '/admin');
    expect(overview.status).toBe(200);
    expect(overview.html).toContain('<html lang="en">');
    expect(overview.html).toContain('>Sign out</button>');
  });
});
