// The console is an OpenID Connect client of Sesame itself: public, PKCE, code flow. The first
// console request makes sure its registration exists; two instances doing that at once may both
// register one, which is harmless: every instance picks the first match (oldest first).
import type { Container } from '../../container.js';

export const CONSOLE_CLIENT_NAME = 'Sesame console';
export const CONSOLE_SCOPE = 'openid email profile';

export interface ConsoleClient {
  clientId: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
}

export function consoleUris(issuer: string): { redirectUri: string; postLogoutRedirectUri: string } {
  return { redirectUri: `${issuer}/admin/callback`, postLogoutRedirectUri: `${issuer}/admin` };
}

export async function ensureConsoleClient(container: Pick<Container, 'clients' | 'audit'>, issuer: string): Promise<ConsoleClient> {
  const uris = consoleUris(issuer);
  const find = async () =>
    (await container.clients.list()).find(
      (c) => c.client_name === CONSOLE_CLIENT_NAME && c.token_endpoint_auth_method === 'none' && c.redirect_uris.includes(uris.redirectUri),
    );
  let client = await find();
  if (!client) {
    const created = await container.clients.create({
      name: CONSOLE_CLIENT_NAME,
      redirectUris: [uris.redirectUri],
      postLogoutRedirectUris: [uris.postLogoutRedirectUri],
      public: true,
      grantTypes: ['authorization_code'],
      scope: CONSOLE_SCOPE,
    });
    await container.audit.record({
      actor: 'system',
      action: 'client.created',
      target: `client:${created.client_id}`,
      details: { client_name: created.client_name, public: true, reason: 'admin console' },
    });
    // Another instance may have registered one at the same moment: the first one wins everywhere.
    client = (await find()) ?? created;
  }
  return { clientId: client.client_id, ...uris };
}
