// The admin console's own client: registered once under the fixed id `sesame-console`, never found
// by name. Two instances starting together on one PostgreSQL database make exactly one; a restart
// with another ISSUER puts its URIs right; a client an earlier version registered for the console
// (found by its name), or an impostor with that name, is deleted and the deletion audited.
import { afterEach, describe, expect, it } from 'vitest';
import { createClientRepository } from '../../src/db/client-repository.js';
import { createTestDatabase, PROVIDERS, type TestDatabase } from '../helpers/databases.js';
import { TEST_DATABASE_URL } from '../helpers/environment.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const CONSOLE_NAME = 'Sesame console';

describe.each(PROVIDERS)('the console client on %s', (provider) => {
  const running: TestSesame[] = [];
  let db: TestDatabase | undefined;

  const start = async () => {
    const sesame = await startTestSesame({ provider, db: db! });
    running.push(sesame);
    return sesame;
  };
  const stop = async (sesame: TestSesame) => {
    running.splice(running.indexOf(sesame), 1);
    await sesame.close();
  };

  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.close()));
    await db?.drop();
    db = undefined;
  });

  it('replaces the clients an earlier version found by name (its own and an impostor), and audits it', async () => {
    db = await createTestDatabase(provider);
    const first = await start();
    // What earlier versions left: a console client found by name, and what an attacker registered
    // to be found first. Written to the table directly: today's rules refuse both.
    const table = createClientRepository(first.container.db.prisma);
    const legacy = (id: string, redirect_uris: string[]) =>
      table.create({
        id,
        name: CONSOLE_NAME,
        secretEncrypted: null,
        metadata: JSON.stringify({
          client_name: CONSOLE_NAME,
          application_type: 'web',
          redirect_uris: redirect_uris,
          post_logout_redirect_uris: [],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'none',
          scope: 'openid email profile',
        }),
      });
    await legacy('old-console-client-id', [`${first.issuer}/admin/callback`]);
    await legacy('impostor-client-id', [`${first.issuer}/admin/callback`, 'https://evil.example/cb']);
    await stop(first);

    const second = await start();
    const clients = await second.container.clients.list();
    expect(clients.filter((c) => c.client_name === CONSOLE_NAME).map((c) => c.client_id)).toEqual(['sesame-console']);
    const { events } = await second.container.audit.list({ action: 'client.deleted' });
    expect(events.map((e) => e.target).sort()).toEqual(['client:impostor-client-id', 'client:old-console-client-id']);
    expect(events[0]).toMatchObject({ actor: 'system', details: { reason: expect.stringContaining('reserved for the admin console') } });
    // The provider no longer knows them: a sign-in through the impostor goes nowhere.
    expect(await second.holder.current().Client.find('impostor-client-id')).toBeUndefined();
  });

  it("puts the console's URIs right when ISSUER changed, and records that", async () => {
    db = await createTestDatabase(provider);
    const first = await start();
    expect((await first.container.clients.get('sesame-console')).redirect_uris).toEqual([`${first.issuer}/admin/callback`, `${first.issuer}/account/callback`]);
    await stop(first);

    // Every test instance listens on a new port, so this is another issuer on the same data.
    const second = await start();
    expect(second.issuer).not.toBe(first.issuer);
    const client = await second.container.clients.get('sesame-console');
    expect(client.redirect_uris).toEqual([`${second.issuer}/admin/callback`, `${second.issuer}/account/callback`]);
    expect(client.post_logout_redirect_uris).toEqual([`${second.issuer}/admin`]);
    const { events } = await second.container.audit.list({ action: 'client.updated' });
    expect(events.filter((e) => e.target === 'client:sesame-console')).toHaveLength(1);
    expect((await second.container.audit.list({ action: 'client.created' })).events.filter((e) => e.target === 'client:sesame-console')).toHaveLength(1);
  });
});

describe.runIf(TEST_DATABASE_URL)('two instances starting together on one PostgreSQL database', () => {
  it('end up with exactly one console client, which both use', async () => {
    const db = await createTestDatabase('postgresql');
    const instances: TestSesame[] = [];
    try {
      instances.push(...(await Promise.all([startTestSesame({ provider: 'postgresql', db }), startTestSesame({ provider: 'postgresql', db })])));
      // Both serve the console at once (earlier versions registered its client on first use).
      const answers = await Promise.all(instances.map((s) => fetch(`${s.issuer}/admin`, { redirect: 'manual' })));
      const clientIds = answers.map((r) => new URL(r.headers.get('location')!).searchParams.get('client_id'));
      expect(clientIds).toEqual(['sesame-console', 'sesame-console']);

      const consoles = (await instances[0]!.container.clients.list()).filter((c) => c.client_name === CONSOLE_NAME);
      expect(consoles.map((c) => c.client_id)).toEqual(['sesame-console']);
      const created = (await instances[0]!.container.audit.list({ action: 'client.created' })).events;
      expect(created.filter((e) => e.target === 'client:sesame-console')).toHaveLength(1);

      // The set-up itself racing on an empty table: one insert wins, the others find it.
      await createClientRepository(instances[0]!.container.db.prisma).delete('sesame-console');
      const results = await Promise.all([...instances, ...instances].map((s) => s.container.clients.ensureConsole()));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(results.every((r) => r.client.client_id === 'sesame-console')).toBe(true);
      expect((await instances[1]!.container.clients.list()).filter((c) => c.client_name === CONSOLE_NAME)).toHaveLength(1);
    } finally {
      await Promise.all(instances.map((s) => s.close()));
      await db.drop();
    }
  });
});
