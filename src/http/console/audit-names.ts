// The audit page's names: `user:<sub>` as the person's email and `client:<id>` as the client's
// name, looked up for a whole page at once (one query for users, one for clients), never per row.
// Whoever is gone keeps their raw id.
import type { Services } from '../../services.js';
import type { AuditEvent } from '../../domain/audit/audit-service.js';
import type { NameOf } from '../../../views/console/audit.js';

const idOf = (ref: string, kind: 'user' | 'client'): string | undefined => (ref.startsWith(`${kind}:`) ? ref.slice(kind.length + 1) : undefined);

export async function auditNames(events: AuditEvent[], { accounts, clients }: Pick<Services, 'accounts' | 'clients'>): Promise<NameOf> {
  const refs = events.flatMap((e) => [e.actor, e.target ?? '']);
  const userIds = refs.map((r) => idOf(r, 'user')).filter((id): id is string => !!id);
  const clientIds = refs.map((r) => idOf(r, 'client')).filter((id): id is string => !!id);
  const [emails, names] = await Promise.all([accounts.emailsOf(userIds), clients.namesOf(clientIds)]);
  return (ref) => {
    if (!ref) return undefined;
    const userId = idOf(ref, 'user');
    const email = userId && emails.get(userId);
    if (email) return { ref, name: email, href: `/admin/users/${encodeURIComponent(userId)}` };
    const clientId = idOf(ref, 'client');
    const name = clientId && names.get(clientId);
    if (name) return { ref, name, href: `/admin/clients/${encodeURIComponent(clientId)}` };
    return { ref };
  };
}

/**
 * What the "person or client" filter means, as the actor or target it matches: an email names a
 * user, a registered client id names that client, anything else (`cli:root`, `system`,
 * `user:<sub>` of someone deleted) is matched as written.
 */
export async function partyOf(text: string, { accounts, clients }: Pick<Services, 'accounts' | 'clients'>): Promise<string> {
  if (text.includes('@')) {
    const user = await accounts.findByEmail(text);
    return user ? `user:${user.id}` : text;
  }
  if (text.includes(':') || ['system', 'anonymous', 'cli'].includes(text)) return text;
  return (await clients.namesOf([text])).has(text) ? `client:${text}` : text;
}
