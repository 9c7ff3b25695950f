// What the audit log keeps of a client, in one place for every way a client changes: the admin
// API, the console, the CLI, start-up (the console's own client) and dynamic registration.
import type { ClientSummary } from '../audit/actions.js';

/** The registration fields a summary reads; a stored client and oidc-provider's metadata both fit. */
export interface SummarySource {
  client_name?: string | undefined;
  token_endpoint_auth_method?: string | undefined;
  grant_types?: readonly string[] | undefined;
  scope?: string | undefined;
  redirect_uris?: readonly string[] | undefined;
  resource_server?: boolean | undefined;
}

export function clientSummary(client: SummarySource): ClientSummary {
  return {
    client_name: client.client_name ?? '',
    public: client.token_endpoint_auth_method === 'none',
    grant_types: [...(client.grant_types ?? [])],
    scope: client.scope ?? null,
    redirect_uris: [...(client.redirect_uris ?? [])],
    resource_server: client.resource_server === true,
  };
}

/** Not registration: what the service adds to a stored client's view. */
const NOT_METADATA = new Set(['client_id', 'client_secret', 'has_secret', 'created_at']);

/**
 * The registration fields whose value differs, sorted: what a change really changed, whichever
 * channel sent it and however many unchanged fields came along (the console sends them all).
 */
export function changedFields(before: object, after: object): string[] {
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((field) => !NOT_METADATA.has(field) && JSON.stringify(a[field]) !== JSON.stringify(b[field]))
    .sort();
}
