// The console is an OpenID Connect client of Sesame itself: public, PKCE, code flow, under the
// fixed client_id CONSOLE_CLIENT_ID. Every instance makes sure of its registration at start-up
// (setUpConsoleClient); the console's pages only ever use that id, never a name.
import type { Services } from '../../services.js';
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

/** Creates or repairs the console's client (the client service records what changed, as the system). */
export async function setUpConsoleClient(container: Pick<Services, 'clients' | 'log' | 'config'>): Promise<ConsoleClient> {
  const { removed } = await container.clients.ensureConsole();
  for (const old of removed) {
    container.log.warn("deleted a client that used the admin console's reserved name", { client_id: old.client_id, redirect_uris: old.redirect_uris });
  }
  return consoleClient(container.config.issuer);
}
