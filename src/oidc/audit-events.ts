// The provider's security events, recorded in the audit log: tokens and grants revoked, sign-outs,
// failed client authentication, dynamic registrations and undelivered back-channel logouts. Only
// the provider sees these, so they are recorded here, at its boundary, through the same typed
// actions as everything else. Attached to every provider createProvider builds (a key change
// builds a new one), so none goes unrecorded.
//
// Never recorded: token values (an opaque token's jti *is* the token), client secrets, or
// anything from a request body other than the client_id.
import type { EventEmitter } from 'node:events';
import Provider, { type Client, type KoaContextWithOIDC } from 'oidc-provider';
import type { Actor, AuditEntry, AuditRecorder, By } from '../domain/audit/actions.js';
import { clientSummary } from '../domain/clients/client-summary.js';

/** Endpoints where a client authenticates; `invalid_client` there is a failed authentication. */
const CLIENT_AUTH_ERRORS = ['grant.error', 'revocation.error', 'introspection.error'] as const;

/** The kinds of token the revocation endpoint destroys, by the event their model emits. */
const REVOCABLE = ['access_token.destroyed', 'refresh_token.destroyed', 'client_credentials.destroyed'] as const;

const MAX_ID_LENGTH = 200;

/** Why a grant's tokens were revoked, from the route that did it (and, at /token, the grant type). */
const GRANT_REVOKED_BECAUSE: Record<string, string> = {
  revocation: 'a token of the grant was revoked by the client',
  'token:authorization_code': 'an authorization code was replayed',
  // Only a public client's, after REFRESH_TOKEN_REUSE_INTERVAL (refresh-token-reuse.ts).
  'token:refresh_token': "a public client's used refresh token was presented again after the reuse interval",
  end_session_confirm: 'the user signed out',
};

function revocationReason(ctx: KoaContextWithOIDC): string {
  const route = ctx.oidc.route;
  const key = route === 'token' ? `token:${String(ctx.oidc.params?.grant_type)}` : route;
  return GRANT_REVOKED_BECAUSE[key] ?? route;
}

function clip(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value.slice(0, MAX_ID_LENGTH) : undefined;
}

function sourceAddress(ctx: KoaContextWithOIDC): string | undefined {
  return clip(ctx.ip);
}

/** The signed-in account behind a request, if any: the session's, or the token's. */
function accountOf(ctx: KoaContextWithOIDC): string | undefined {
  const { oidc } = ctx;
  const entities = oidc.entities as Record<string, { accountId?: unknown } | undefined>;
  return (
    clip(oidc.session?.accountId) ??
    clip(oidc.account?.accountId) ??
    clip(entities.AccessToken?.accountId) ??
    clip(entities.RefreshToken?.accountId) ??
    clip(entities.AuthorizationCode?.accountId)
  );
}

/** Who acted: the authenticated client at the back-channel endpoints, else the signed-in person. */
function actorOf(ctx: KoaContextWithOIDC): Actor {
  const clientId = clip(ctx.oidc.client?.clientId);
  const account = accountOf(ctx);
  if (ctx.oidc.route === 'end_session_confirm' && account) return `user:${account}`;
  if (clientId) return `client:${clientId}`;
  return account ? `user:${account}` : 'anonymous';
}

/**
 * The client_id a failed client authentication claimed: the client if it was found, otherwise the
 * client_id parameter or the user part of HTTP Basic credentials (the password part is never read).
 */
function claimedClientId(ctx: KoaContextWithOIDC): string | undefined {
  const found = clip(ctx.oidc.client?.clientId);
  if (found) return found;
  const param = clip(ctx.oidc.params?.client_id);
  if (param) return param;
  const header = ctx.get('authorization');
  const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  try {
    return clip(decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')));
  } catch {
    return undefined;
  }
}

export function recordProviderEvents(provider: Provider, audit: AuditRecorder): void {
  // The typings list each event name separately; the loops below register several at once.
  const emitter: EventEmitter = provider;
  // Not awaited: the provider's listeners cannot hold up its response.
  const safely = (by: By, entry: AuditEntry) => {
    try {
      void audit.record(by, entry).catch(() => {});
    } catch {
      // Recording never breaks the request it describes.
    }
  };
  const from = (ctx: KoaContextWithOIDC, actor: Actor): By => ({ actor, sourceAddress: sourceAddress(ctx) });

  provider.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => {
    const route = ctx.oidc.route;
    const account = accountOf(ctx);
    safely(from(ctx, actorOf(ctx)), {
      action: 'grant.revoked',
      target: `grant:${grantId}`,
      details: {
        grant_id: grantId,
        ...(ctx.oidc.client ? { client_id: ctx.oidc.client.clientId } : {}),
        ...(account ? { sub: account } : {}),
        route,
        reason: revocationReason(ctx),
      },
    });
  });

  // A token destroyed at the revocation endpoint (the event carries the token; the request it
  // belongs to comes from the provider's async context).
  for (const event of REVOCABLE) {
    emitter.on(event, (token: { kind: string; clientId?: string; accountId?: string; grantId?: string }) => {
      const ctx = Provider.ctx;
      if (!ctx || ctx.oidc.route !== 'revocation') return;
      const clientId = clip(ctx.oidc.client?.clientId) ?? clip(token.clientId);
      const account = clip(token.accountId);
      safely(from(ctx, clientId ? `client:${clientId}` : 'anonymous'), {
        action: 'token.revoked',
        target: account ? `user:${account}` : clientId ? `client:${clientId}` : undefined,
        details: {
          kind: token.kind,
          ...(token.clientId ? { client_id: token.clientId } : {}),
          ...(account ? { sub: account } : {}),
          ...(token.grantId ? { grant_id: token.grantId } : {}),
        },
      });
    });
  }

  provider.on('end_session.success', (ctx: KoaContextWithOIDC) => {
    const account = accountOf(ctx);
    const clientId = clip(ctx.oidc.client?.clientId);
    safely(from(ctx, account ? `user:${account}` : 'anonymous'), {
      action: 'logout.succeeded',
      ...(account ? { target: `user:${account}` as const } : {}),
      details: { ...(clientId ? { client_id: clientId } : {}), everywhere: ctx.oidc.params?.logout === 'yes' },
    });
  });

  for (const event of CLIENT_AUTH_ERRORS) {
    emitter.on(event, (ctx: KoaContextWithOIDC, error: { error?: string; error_detail?: string }) => {
      if (error?.error !== 'invalid_client') return;
      const clientId = claimedClientId(ctx);
      safely(from(ctx, 'anonymous'), {
        action: 'client.authentication_failed',
        ...(clientId ? { target: `client:${clientId}` as const } : {}),
        details: {
          endpoint: ctx.oidc.route,
          ...(clientId ? { client_id: clientId } : {}),
          ...(typeof error.error_detail === 'string' ? { reason: error.error_detail.slice(0, MAX_ID_LENGTH) } : {}),
        },
      });
    });
  }

  // Dynamic registration (RFC 7591) and registration management (RFC 7592). The registrant holds
  // an initial access token, not an identity: registering is anonymous; an update or deletion is
  // the client's own, with its registration access token.
  const REGISTRATION_EVENTS = [
    ['registration_create.success', 'client.registered'],
    ['registration_update.success', 'client.updated'],
    ['registration_delete.success', 'client.deleted'],
  ] as const;
  const entryFor = (action: (typeof REGISTRATION_EVENTS)[number][1], client: Client): AuditEntry => {
    const target = `client:${client.clientId}` as const;
    const via = { client_id: client.clientId, via: 'dynamic_registration' as const };
    if (action === 'client.deleted') return { action, target, details: via };
    return { action, target, details: { ...clientSummary(client.metadata()), ...via } };
  };
  for (const [event, action] of REGISTRATION_EVENTS) {
    emitter.on(event, (ctx: KoaContextWithOIDC, client: Client) => {
      safely(from(ctx, action === 'client.registered' ? 'anonymous' : `client:${client.clientId}`), entryFor(action, client));
    });
  }

  provider.on('backchannel.error', (ctx: KoaContextWithOIDC, error: Error, client: { clientId: string }, accountId: string) => {
    safely(from(ctx, accountId ? `user:${accountId}` : 'system'), {
      action: 'logout.backchannel_failed',
      target: `client:${client.clientId}`,
      details: { client_id: client.clientId, ...(accountId ? { sub: accountId } : {}), reason: String(error?.message ?? error).slice(0, MAX_ID_LENGTH) },
    });
  });
}
