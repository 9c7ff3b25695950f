// The audit page's names: `user:<sub>` as the person's email, `client:<id>` as the client's name
// and `group:<id>` as the group's, looked up for a whole page at once (one query each), never per row.
// Whoever is gone keeps their raw id.
import type { Services } from '../../services.js';
import type { AuditEvent } from '../../domain/audit/audit-service.js';
import type { NameOf } from '../../../views/console/audit.js';

const idOf = (ref: string, kind: 'user' | 'client' | 'group'): string | undefined => (ref.startsWith(`${kind}:`) ? ref.slice(kind.length + 1) : undefined);

export async function auditNames(
  events: AuditEvent[],
  { accounts, clients, groups }: Pick<Services, 'accounts' | 'clients'> & Partial<Pick<Services, 'groups'>>,
): Promise<NameOf> {
  const refs = events.flatMap((e) => [e.actor, e.target ?? '']);
  const userIds = refs.map((r) => idOf(r, 'user')).filter((id): id is string => !!id);
  const clientIds = refs.map((r) => idOf(r, 'client')).filter((id): id is string => !!id);
  const groupIds = refs.map((r) => idOf(r, 'group')).filter((id): id is string => !!id);
  const [emails, names, groupNames] = await Promise.all([
    accounts.emailsOf(userIds),
    clients.namesOf(clientIds),
    groups && groupIds.length > 0 ? groups.namesOf(groupIds) : new Map<string, string>(),
  ]);
  return (ref) => {
    if (!ref) return undefined;
    const userId = idOf(ref, 'user');
    const email = userId && emails.get(userId);
    if (email) return { ref, name: email, href: `/admin/users/${encodeURIComponent(userId)}` };
    const clientId = idOf(ref, 'client');
    const name = clientId && names.get(clientId);
    if (name) return { ref, name, href: `/admin/clients/${encodeURIComponent(clientId)}` };
    const groupId = idOf(ref, 'group');
    const groupName = groupId && groupNames.get(groupId);
    if (groupName) return { ref, name: groupName, href: `/admin/groups/${encodeURIComponent(groupName)}` };
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
