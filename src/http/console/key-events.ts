// /admin/keys/events: key events and their webhook deliveries (`?failed=true`: only failing ones).
import { keyEventsPage } from '../../../views/console/key-events.js';
import type { Services } from '../../services.js';
import { frame, send, type ConsoleRoutes } from './context.js';

const SHOWN = 50;

export function keyEventRoutes({ router, get }: ConsoleRoutes, { keyEvents }: Pick<Services, 'keyEvents'>): void {
  router.get('/admin/keys/events', ...get, async (ctx) => {
    const failing = ctx.query.failed === 'true';
    send(ctx, keyEventsPage(frame(ctx), await keyEvents.list({ limit: SHOWN, failing }), failing));
  });
}
