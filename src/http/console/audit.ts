// /admin/audit: the audit log, newest first, paged by cursor, filtered by action (one of the
// known ones), a date range (UTC days, both ends included) and a person or client (as actor or
// target). Names replace raw ids, resolved per page in one query each (audit-names.ts).
import type { Context } from 'koa';
import type { Services } from '../../services.js';
import { AUDIT_ACTIONS, isAuditAction } from '../../domain/audit/actions.js';
import { auditPage, type AuditFilters } from '../../../views/console/audit.js';
import { frame, send, type ConsoleRoutes } from './context.js';
import { auditNames, partyOf } from './audit-names.js';

const DAY_MS = 24 * 60 * 60 * 1000;

const queryText = (ctx: Context, name: string): string => {
  const value = ctx.query[name];
  return typeof value === 'string' ? value.trim() : '';
};

/** A YYYY-MM-DD day as its UTC midnight, or undefined when it is not one. */
function day(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const date = new Date(`${text}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text ? undefined : date;
}

export function auditRoutes({ router, get }: ConsoleRoutes, services: Pick<Services, 'audit' | 'accounts' | 'clients' | 'groups'>): void {
  const { audit } = services;
  router.get('/admin/audit', ...get, async (ctx) => {
    const filters: AuditFilters = { action: queryText(ctx, 'action'), from: queryText(ctx, 'from'), to: queryText(ctx, 'to'), who: queryText(ctx, 'who') };
    const cursor = queryText(ctx, 'cursor') || undefined;
    const errors: Record<string, string> = {};
    if (filters.action && !isAuditAction(filters.action)) errors.action = 'Choose one of the listed actions.';
    const since = filters.from ? day(filters.from) : undefined;
    const to = filters.to ? day(filters.to) : undefined;
    if (filters.from && !since) errors.from = 'Use a date such as 2026-01-31.';
    if (filters.to && !to) errors.to = 'Use a date such as 2026-01-31.';
    if (since && to && to < since) errors.to = 'The end date is before the start date.';
    if (filters.who.length > 254) errors.who = 'At most 254 characters.';
    if (Object.keys(errors).length > 0) {
      send(ctx, auditPage(frame(ctx), { events: [], nameOf: () => undefined, filters, actions: AUDIT_ACTIONS, nextCursor: null, errors }), 400);
      return;
    }
    const party = filters.who ? await partyOf(filters.who, services) : undefined;
    const { events, next_cursor } = await audit.list({
      ...(filters.action ? { action: filters.action } : {}),
      ...(since ? { since } : {}),
      // The end day is included: up to the next day's midnight.
      ...(to ? { until: new Date(to.getTime() + DAY_MS) } : {}),
      ...(party ? { party } : {}),
      ...(cursor ? { cursor } : {}),
      limit: 50,
    });
    const nameOf = await auditNames(events, services);
    send(ctx, auditPage(frame(ctx), { events, nameOf, filters, actions: AUDIT_ACTIONS, nextCursor: next_cursor, errors }));
  });
}
