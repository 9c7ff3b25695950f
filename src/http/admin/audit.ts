// /audit: the audit log, newest first, a page at a time; the same service as `sesame audit list`.
import { invalidFields } from './problem.js';
import { route, type Route } from './route.js';
import { AuditPage, AuditQuery } from './schemas.js';

const DEFAULT_LIMIT = 50;

export const auditRoutes: Route[] = [
  route({
    method: 'get',
    path: '/audit',
    operationId: 'listAuditEvents',
    summary: 'List audit events, newest first, a page at a time',
    description: 'Sign-ins, consents, revocations, admin changes, registrations and key changes; never a secret.',
    tag: 'audit',
    query: AuditQuery,
    success: { status: 200, description: 'A page of audit events.', schema: AuditPage },
    problems: [422],
    async handle({ query, services }) {
      if (query.cursor !== undefined && !(await services.audit.exists(query.cursor))) {
        throw invalidFields([{ field: 'cursor', message: 'is not a cursor from this list' }]);
      }
      const page = await services.audit.list({
        limit: query.limit ?? DEFAULT_LIMIT,
        ...(query.since !== undefined ? { since: new Date(query.since) } : {}),
        ...(query.action !== undefined ? { action: query.action } : {}),
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
      });
      return { items: page.events, next_cursor: page.next_cursor };
    },
  }),
];
