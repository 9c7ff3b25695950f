// /admin/audit: the audit log, newest first, filtered by action and paged by cursor.
import type { Services } from '../../services.js';
import { auditPage } from '../../../views/console/audit.js';
import { frame, send, type ConsoleRoutes } from './context.js';

export function auditRoutes({ router, get }: ConsoleRoutes, { audit }: Pick<Services, 'audit'>): void {
  router.get('/admin/audit', ...get, async (ctx) => {
    const action = typeof ctx.query.action === 'string' ? ctx.query.action.trim() : '';
    const cursor = typeof ctx.query.cursor === 'string' && ctx.query.cursor ? ctx.query.cursor : undefined;
    const { events, next_cursor } = await audit.list({ ...(action ? { action } : {}), ...(cursor ? { cursor } : {}), limit: 50 });
    send(ctx, auditPage(frame(ctx), events, action, next_cursor));
  });
}
