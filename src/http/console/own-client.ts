// The console is an OpenID Connect client of Sesame itself: public, PKCE, code flow, under the
// fixed client_id CONSOLE_CLIENT_ID. Every instance makes sure of its registration at start-up
// (setUpConsoleClient); the console's pages only ever use that id, never a name.
import type { Container } from '../../container.js';
import { CONSOLE_CLIENT_ID, consoleUris } from '../../domain/clients/reserved.js';

export { CONSOLE_SCOPE } from '../../domain/clients/reserved.js';

export interface ConsoleClient {
  clientId: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
}

export function consoleClient(issuer: string): ConsoleClient {
  return { clientId: CONSOLE_CLIENT_ID, ...consoleUris(issuer) };
}

/** Creates or repairs the console's client and records what changed (actor `system`). */
export async function setUpConsoleClient(container: Pick<Container, 'clients' | 'audit' | 'log' | 'config'>): Promise<ConsoleClient> {
  const { client, created, repaired, removed } = await container.clients.ensureConsole();
  const target = `client:${client.client_id}`;
  if (created) {
    await container.audit.record({
      actor: 'system',
      action: 'client.created',
      target,
      details: { client_name: client.client_name, public: true, reason: 'admin console' },
    });
  }
  if (repaired) {
    await container.audit.record({
      actor: 'system',
      action: 'client.updated',
      target,
      details: { client_name: client.client_name, redirect_uris: client.redirect_uris, reason: "admin console: registration put back to the console's own" },
    });
  }
  for (const old of removed) {
    container.log.warn("deleted a client that used the admin console's reserved name", { client_id: old.client_id, redirect_uris: old.redirect_uris });
    await container.audit.record({
      actor: 'system',
      action: 'client.deleted',
      target: `client:${old.client_id}`,
      details: {
        client_name: old.client_name,
        redirect_uris: old.redirect_uris,
        reason: `the name is reserved for the admin console, whose client is now ${client.client_id}`,
      },
    });
  }
  return consoleClient(container.config.issuer);
}
