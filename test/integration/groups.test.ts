// Groups and client access rules through every channel, on each database: the CLI (run in-process
// against the instance's database), the admin API and the console pages; the audit records each
// change leaves; names validated; a group a client's allowed_groups names is not deleted and a
// rename follows into it; dynamic registration cannot set allowed_groups, nor lose them.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, REDIRECT_URI } from '../helpers/rp.js';
import { startTestSesame, TEST_SECRETS, type TestSesame } from '../helpers/sesame.js';

const ADMIN = { email: 'root@example.com', password: 'administrators only please', name: 'Root', isAdmin: true, emailVerified: true };
const PASSWORD = 'a perfectly fine password';

describe.each(PROVIDERS)('groups and access rules on %s', (provider) => {
  let sesame: TestSesame;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
  });
  afterAll(async () => sesame?.close());

  async function sesameCli(...argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
      env: { DATABASE_URL: sesame.db.url, NODE_ENV: 'test', ISSUER: sesame.issuer, ...TEST_SECRETS },
    });
    return { code, stdout, stderr, json: argv.includes('--json') && code === 0 ? JSON.parse(stdout) : undefined };
  }

  const actions = async (action: string) => (await sesame.container.audit.list({ action, limit: 100 })).events;

  it('CLI: create, list with counts, members, rename (clients follow), delete refused while a client names the group, audited', async () => {
    const user = await sesame.container.accounts.create({ email: 'kite@example.com', password: PASSWORD });
    const created = await sesameCli('groups', 'create', 'ops', '--description', 'Operations', '--json');
    expect(created.code, created.stderr).toBe(0);
    expect(created.json).toMatchObject({ name: 'ops', description: 'Operations', member_count: 0 });

    const bad = await sesameCli('groups', 'create', 'no spaces');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^sesame: groups create: group name "no spaces" is not valid; use 1 to 64 characters: letters, digits, and - _ \. :\n$/);
    expect((await sesameCli('groups', 'create', 'ops')).stderr).toContain('a group named ops exists already');

    expect((await sesameCli('groups', 'add-member', 'ops', 'KITE@example.com')).stdout).toContain('added kite@example.com to ops');
    expect((await sesameCli('groups', 'add-member', 'ops', 'kite@example.com')).stdout).toContain('is a member of ops already');
    expect((await sesameCli('groups', 'add-member', 'ops', 'nobody@example.com')).stderr).toContain('no user with email nobody@example.com');
    const listed = await sesameCli('groups', 'list', '--json');
    expect(listed.json).toEqual([expect.objectContaining({ name: 'ops', member_count: 1 })]);
    const members = await sesameCli('groups', 'members', 'ops', '--json');
    expect(members.json.members).toEqual([expect.objectContaining({ sub: user.id, email: 'kite@example.com' })]);

    // A client's access rule: names must be groups; --no-allowed-group clears it.
    const unknown = await sesameCli('clients', 'create', '--name', 'Grafana', '--redirect-uri', REDIRECT_URI, '--allowed-group', 'nosuch');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('allowed_groups: no group named nosuch');
    const client = await sesameCli('clients', 'create', '--name', 'Grafana', '--redirect-uri', REDIRECT_URI, '--allowed-group', 'ops', '--json');
    expect(client.code, client.stderr).toBe(0);
    expect(client.json.allowed_groups).toEqual(['ops']);
    const clientId = client.json.client_id as string;

    const refused = await sesameCli('groups', 'delete', 'ops');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`group ops is in the allowed_groups of client Grafana (${clientId})`);

    expect((await sesameCli('groups', 'rename', 'ops', 'operators')).code).toBe(0);
    expect((await sesameCli('clients', 'show', clientId, '--json')).json.allowed_groups).toEqual(['operators']);
    expect((await sesameCli('groups', 'members', 'operators', '--json')).json.clients).toEqual([{ client_id: clientId, client_name: 'Grafana' }]);

    const cleared = await sesameCli('clients', 'update', clientId, '--no-allowed-group', '--json');
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(cleared.json.allowed_groups).toBeUndefined();
    expect((await sesameCli('groups', 'remove-member', 'operators', 'kite@example.com')).stdout).toContain('removed kite@example.com from operators');
    expect((await sesameCli('groups', 'delete', 'operators')).code).toBe(0);
    expect((await sesameCli('groups', 'list', '--json')).json).toEqual([]);

    expect((await actions('group.created'))[0]).toMatchObject({ actor: expect.stringMatching(/^cli/), details: { name: 'ops', description: 'Operations' } });
    expect((await actions('group.renamed'))[0]!.details).toEqual({ name: 'operators', from: 'ops', clients: [clientId] });
    expect((await actions('group.member_added'))[0]).toMatchObject({ target: `user:${user.id}`, details: { group: 'ops', email: 'kite@example.com' } });
    expect((await actions('group.member_removed'))[0]).toMatchObject({ target: `user:${user.id}`, details: { group: 'operators' } });
    expect((await actions('group.deleted'))[0]!.details).toEqual({ name: 'operators', members: 0 });
  });

  it('admin API: /groups routes and a user’s groups, described in OpenAPI', async () => {
    const machine = await sesame.container.clients.create({ client_name: 'Machine', grant_types: ['client_credentials'], scope: 'admin' });
    const config = await discover(sesame.issuer, machine.client_id, machine.client_secret);
    const token = (await oidc.clientCredentialsGrant(config, { scope: 'admin' })).access_token;
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(new URL(`/admin/api/v1${path}`, sesame.issuer), {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await response.text();
      return { status: response.status, json: text ? JSON.parse(text) : undefined };
    };
    const user = await sesame.container.accounts.create({ email: 'wren@example.com', password: PASSWORD });

    expect((await api('POST', '/groups', { name: 'media:viewers', description: 'Jellyfin' })).status).toBe(201);
    expect((await api('POST', '/groups', { name: 'bad/name' })).status).toBe(422);
    expect((await api('POST', '/groups', { name: 'media:viewers' })).status).toBe(409);
    const added = await api('POST', '/groups/media:viewers/members', { email: 'wren@example.com' });
    expect(added.json).toEqual({ group: 'media:viewers', sub: user.id, email: 'wren@example.com', added: true });
    expect((await api('GET', '/groups')).json.items).toEqual([expect.objectContaining({ name: 'media:viewers', member_count: 1 })]);
    expect((await api('GET', `/users/${user.id}/groups`)).json.items).toEqual([expect.objectContaining({ name: 'media:viewers' })]);

    const client = await api('POST', '/clients', { client_name: 'Jellyfin', redirect_uris: [REDIRECT_URI], allowed_groups: ['media:viewers'] });
    expect(client.status, JSON.stringify(client.json)).toBe(201);
    expect(client.json.allowed_groups).toEqual(['media:viewers']);
    const unknown = await api('PATCH', `/clients/${client.json.client_id}`, { allowed_groups: ['nosuch'] });
    expect(unknown.status).toBe(422);
    expect(unknown.json.errors).toEqual([{ field: 'allowed_groups', message: expect.stringContaining('no group named nosuch') }]);

    expect((await api('DELETE', '/groups/media:viewers')).status).toBe(409);
    const renamed = await api('PATCH', '/groups/media:viewers', { name: 'media', description: null });
    expect(renamed.json).toMatchObject({ name: 'media', description: null });
    expect((await api('GET', `/clients/${client.json.client_id}`)).json.allowed_groups).toEqual(['media']);
    const detail = await api('GET', '/groups/media');
    expect(detail.json.members).toEqual([expect.objectContaining({ sub: user.id })]);
    expect(detail.json.clients).toEqual([{ client_id: client.json.client_id, client_name: 'Jellyfin' }]);

    expect((await api('DELETE', `/groups/media/members/${user.id}`)).status).toBe(204);
    // Deleting a person takes them out of their groups.
    const gone = await sesame.container.accounts.create({ email: 'gone@example.com', password: PASSWORD });
    await sesame.container.groups.addMember('media', 'gone@example.com');
    expect((await api('DELETE', `/users/${gone.id}`)).status).toBe(204);
    expect((await api('GET', '/groups/media')).json.members).toEqual([]);
    expect((await api('GET', `/users/${user.id}/groups`)).json.items).toEqual([]);
    expect((await api('PATCH', `/clients/${client.json.client_id}`, { allowed_groups: null })).status).toBe(200);
    expect((await api('DELETE', '/groups/media')).status).toBe(204);
    expect((await api('GET', '/groups/media')).status).toBe(404);

    const openapi = (await (await fetch(new URL('/admin/api/v1/openapi.json', sesame.issuer))).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/groups', '/groups/{group_name}', '/groups/{group_name}/members', '/users/{user_id}/groups']),
    );
  });

  it('console: the Groups page creates, adds and removes members, renames and deletes; the user page shows and edits groups; the client page sets allowed groups', async () => {
    await sesame.container.accounts.create(ADMIN);
    const person = await sesame.container.accounts.create({ email: 'finch@example.com', password: PASSWORD });
    const admin = new TestBrowser(sesame.issuer);
    const login = await admin.request('/admin');
    expect((await admin.submit(login, '/login', { email: ADMIN.email, password: ADMIN.password })).status).toBe(200);

    let page: Page = await admin.request('/admin/groups');
    expect(page.html).toContain('href="/admin/groups" aria-current="page"');
    const invalid = await admin.submit(page, '/admin/groups', { name: 'a b' });
    expect(invalid.status).toBe(422);
    expect(invalid.html).toContain('id="name-error"');
    page = await admin.submit(page, '/admin/groups', { name: 'family', description: 'Photos' });
    expect(new URL(page.url).pathname).toBe('/admin/groups/family');
    // The audit page names the group, linked.
    expect((await admin.request('/admin/audit?action=group.created')).html).toContain('href="/admin/groups/family"');
    page = await admin.submit(page, '/admin/groups/family/members', { email: 'finch@example.com' });
    expect(page.html).toContain('Added finch@example.com to family.');
    expect(page.html).toContain(`href="/admin/users/${person.id}">finch@example.com</a>`);

    // The user page lists it, and removes and adds.
    let userPage = await admin.request(`/admin/users/${person.id}`);
    expect(userPage.html).toMatch(/<ul id="user-groups"><li><a href="\/admin\/groups\/family">family<\/a>/);
    userPage = await admin.submit(userPage, `/admin/users/${person.id}/groups/family/remove`);
    expect(userPage.html).toContain('In no group.');
    await admin.submit(userPage, `/admin/users/${person.id}/groups`, { group: 'family' });
    expect(await sesame.container.groups.groupsOf(person.id)).toEqual([expect.objectContaining({ name: 'family' })]);

    // The client page's allowed groups.
    const client = await sesame.container.clients.create({ client_name: 'Immich', redirect_uris: [REDIRECT_URI] });
    const clientPage = await admin.request(`/admin/clients/${client.client_id}`);
    expect(clientPage.html).toContain('id="allowed_groups"');
    const form = admin.form(clientPage, `/admin/clients/${client.client_id}`);
    const fieldsOf = (html: string) => ({
      ...Object.fromEntries([...html.matchAll(/<input id="([a-z_]+)" name="\1" type="text"[^>]*value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!])),
      ...Object.fromEntries([...html.matchAll(/<textarea id="([a-z_]+)" name="\1"[^>]*>([^<]*)<\/textarea>/g)].map((m) => [m[1]!, m[2]!])),
    });
    const typed = { ...fieldsOf(clientPage.html), grant_types: 'authorization_code', token_endpoint_auth_method: 'client_secret_basic', require_pkce: 'yes' };
    const unknown = await admin.request(form.action, { form: { ...form.fields, ...typed, allowed_groups: 'nosuch' } });
    expect(unknown.status).toBe(422);
    expect(unknown.html).toContain('allowed_groups: no group named nosuch');
    const saved = await admin.request(form.action, { form: { ...form.fields, ...typed, allowed_groups: 'family' } });
    expect(saved.status, saved.html).toBe(200);
    expect((await sesame.container.clients.get(client.client_id)).allowed_groups).toEqual(['family']);

    // Rename, delete refused while Immich names it, then allowed.
    page = await admin.request('/admin/groups/family');
    expect(page.html).toContain('>Immich</a>');
    const csrf = admin.form(page, '/admin/groups/family/members').fields;
    page = await admin.request('/admin/groups/family', { form: { ...csrf, name: 'kin', description: 'Photos' } });
    expect(new URL(page.url).pathname).toBe('/admin/groups/kin');
    expect((await sesame.container.clients.get(client.client_id)).allowed_groups).toEqual(['kin']);
    await sesame.container.clients.update(client.client_id, { allowed_groups: null });
    page = await admin.request('/admin/groups/kin');
    page = await admin.submit(page, '/admin/groups/kin/members/');
    expect(page.html).toContain('Removed from the group.');
    page = await admin.submit(page, '/admin/groups/kin/delete');
    expect(new URL(page.url).pathname).toBe('/admin/groups');
    expect(page.html).toContain('Deleted group kin.');
  });

  it('dynamic registration cannot set allowed_groups, and a registered app’s own update keeps them', async () => {
    await sesame.container.groups.create({ name: 'staff' });
    expect(() => sesame.container.clients.validateRegistration({ client_name: 'Self', redirect_uris: [REDIRECT_URI], allowed_groups: ['staff'] })).toThrow(
      /^allowed_groups cannot be registered dynamically: who may use an app is for an administrator to decide/,
    );
    const registered = await sesame.container.clients.saveRegistered('dyn-client-1', {
      client_name: 'Dyn',
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: 'none',
    });
    await sesame.container.clients.update(registered.client_id, { allowed_groups: ['staff'] });
    // The app replaces its registration (RFC 7592): the administrator's rule stays.
    await sesame.container.clients.saveRegistered('dyn-client-1', { client_name: 'Dyn 2', redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none' });
    expect(await sesame.container.clients.get('dyn-client-1')).toMatchObject({ client_name: 'Dyn 2', allowed_groups: ['staff'] });
    expect(await sesame.container.clients.findForProvider('dyn-client-1')).not.toHaveProperty('allowed_groups');
  });
});
