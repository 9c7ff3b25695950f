// The console's audit log over HTTP: names in place of ids (the id when the user or client is
// gone), details as key: value lines, escaping, the filters (action, dates, person or client) with
// bad values refused, cursor paging newest first, and names resolved per page, not per row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const ADMIN = { email: 'root@example.com', password: 'administrators only please', isAdmin: true, emailVerified: true };

describe.each(PROVIDERS)('console audit log on %s', (provider) => {
  let sesame: TestSesame;
  let admin: TestBrowser;
  let adminId: string;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider, countStatements: true });
    adminId = (await sesame.container.accounts.create(ADMIN)).id;
    admin = new TestBrowser(sesame.issuer);
    const login = await admin.request('/admin');
    expect((await admin.submit(login, '/login', { email: ADMIN.email, password: ADMIN.password })).status).toBe(200);
  });
  afterAll(async () => sesame?.close());

  const by = () => ({ actor: `user:${adminId}` as const });

  it('shows emails and client names instead of ids, the id of what is gone, and details as text', async () => {
    const person = await sesame.container.accounts.create({ email: 'named@example.com', password: 'a fine password' }, by());
    const client = await sesame.container.clients.create({ client_name: '<b>Wiki</b>', redirect_uris: ['https://wiki.example/cb'] }, by());
    const gone = await sesame.container.clients.create({ client_name: 'Gone app', redirect_uris: ['https://gone.example/cb'] }, by());
    await sesame.container.clients.delete(gone.client_id, by());

    const page = await admin.request('/admin/audit');
    expect(page.status).toBe(200);
    expect(page.html).toContain(`<a href="/admin/users/${person.id}" title="user:${person.id}">named@example.com</a>`);
    expect(page.html).toContain(`<a href="/admin/users/${adminId}" title="user:${adminId}">root@example.com</a>`);
    expect(page.html).toContain(`title="client:${client.client_id}">&lt;b&gt;Wiki&lt;/b&gt;</a>`);
    expect(page.html).not.toContain('<b>Wiki</b>');
    expect(page.html).toContain(`<span class="code">client:${gone.client_id}</span>`);
    // Details: key: value lines, not a JSON blob.
    expect(page.html).toMatch(/<li><span class="muted">email:<\/span> named@example\.com<\/li>/);
    expect(page.html).toMatch(/<li><span class="muted">is admin:<\/span> false<\/li>/);
    expect(page.html).not.toContain('{&quot;email&quot;');
  });

  it('filters by a known action, a date range and a person or client; bad filters get a 400', async () => {
    const person = await sesame.container.accounts.create({ email: 'filtered@example.com', password: 'a fine password' }, by());
    await sesame.container.accounts.update(person.id, { name: 'Fil' }, by());

    const form = await admin.request('/admin/audit');
    expect(form.html).toContain('<option value="user.password_set">');
    expect(form.html).toContain('<option value="key.revoked">');

    const byAction = await admin.request('/admin/audit?action=user.updated');
    expect(byAction.html).toContain('<option value="user.updated" selected>');
    expect(byAction.html).toContain('filtered@example.com');
    expect(byAction.html).not.toContain('>user.created</a>');

    const today = new Date().toISOString().slice(0, 10);
    const inRange = await admin.request(`/admin/audit?from=${today}&to=${today}&who=FILTERED@example.com`);
    expect(inRange.status).toBe(200);
    expect(inRange.html).toContain('>user.created</a>');
    expect(inRange.html).toContain('>user.updated</a>');
    expect(inRange.html).not.toContain('>console.signed_in</a>');
    const before = await admin.request('/admin/audit?to=2001-01-01');
    expect(before.html).toContain('No events.');
    const byRef = await admin.request(`/admin/audit?who=${encodeURIComponent(`user:${person.id}`)}`);
    expect(byRef.html).toContain('>user.updated</a>');

    for (const [query, field] of [
      ['action=user.exploded', 'action'],
      ['from=2026-02-30', 'from'],
      ['to=yesterday', 'to'],
      ['from=2026-03-02&to=2026-03-01', 'to'],
    ] as const) {
      const bad = await admin.request(`/admin/audit?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.html).toContain(`id="${field}-error"`);
    }
    const hostile = await admin.request(`/admin/audit?who=${encodeURIComponent('"><script>alert(1)</script>')}`);
    expect(hostile.html).not.toContain('<script>alert(1)');
    expect(hostile.html).toContain('&quot;&gt;&lt;script&gt;');
  });

  it('pages newest first by cursor, keeping the filters, with the same number of queries whatever the rows name', async () => {
    const users = [];
    for (let i = 0; i < 55; i++) users.push(await sesame.container.accounts.create({ email: `page${i}@example.com`, password: 'a fine password' }, by()));
    const first = await admin.request('/admin/audit?action=user.created');
    const emails = [...first.html.matchAll(/>(page\d+)@example\.com</g)].map((m) => m[1]);
    expect(emails[0]).toBe('page54');
    const next = /href="(\/admin\/audit\?[^"]*cursor=[^"]+)"/.exec(first.html)![1]!.replace(/&amp;/g, '&');
    expect(next).toContain('action=user.created');
    const second = await admin.request(next);
    const more = [...second.html.matchAll(/>(page\d+)@example\.com</g)].map((m) => m[1]);
    expect(more).not.toContain('page54');
    expect(more.length).toBeGreaterThan(0);
    // One query for the users and one for the clients a page names, not one per row.
    const cost = async (path: string) => {
      const start = sesame.container.db.statements();
      await admin.request(path);
      return sesame.container.db.statements() - start;
    };
    const many = await cost('/admin/audit?action=user.created');
    const one = await cost(`/admin/audit?action=user.created&who=page0@example.com`);
    expect(many).toBeLessThanOrEqual(one + 1);
  });
});
