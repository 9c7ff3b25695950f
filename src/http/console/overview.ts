// /admin: counts of clients, users and signing keys, and which algorithms sign now.
import type { Services } from '../../services.js';
import { overviewPage } from '../../../views/console/overview.js';
import { frame, send, type ConsoleRoutes } from './context.js';

export function overviewRoutes({ router, get }: ConsoleRoutes, { accounts, clients, keys }: Pick<Services, 'accounts' | 'clients' | 'keys'>): void {
  router.get('/admin', ...get, async (ctx) => {
    const [allClients, allKeys, users] = await Promise.all([clients.list(), keys.list(), accounts.list()]);
    send(
      ctx,
      overviewPage(frame(ctx), {
        clients: allClients.length,
        users: users.length,
        keys: allKeys.filter((k) => k.state !== 'revoked').length,
        activeAlgs: allKeys.filter((k) => k.state === 'active').map((k) => k.alg),
      }),
    );
  });
}
