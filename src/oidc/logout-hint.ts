// RP-initiated logout never depends on a deleted key. oidc-provider verifies an id_token_hint with
// its own key set and answers 400 when the hint's key is gone (deleted once its retention passed,
// or revoked): the session is not ended and the person is left on an error page. Yet the hint only
// says which client is asking; the person confirms on the logout page either way. So a hint whose
// `kid` this provider does not hold is dropped before the provider sees it, and the client is
// named by `client_id`: the request's, or else the hint's `aud`.
//
// That `aud` is unverified, and it grants nothing anyone could not ask for with `client_id` alone:
// the provider still refuses a post_logout_redirect_uri not registered for that client, and still
// asks the person to confirm. A hint the provider could verify, one it cannot even decode, and one
// without a `kid` all reach the provider untouched: those are its to accept or refuse.
//
// A form POST must be read to see its hint, and a read body cannot be handed back; it goes on as
// the equivalent GET (RP-Initiated Logout 1.0 gives both methods the same parameters and meaning).
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { Middleware } from 'koa';
import type { AuditRecorder } from '../domain/audit/actions.js';
import type { Logger } from '../logger.js';

/** oidc-provider's own limit for a form body. */
const BODY_LIMIT = 56 * 1024;
const MAX_ID_LENGTH = 200;

export interface IgnoredHint {
  kid: string;
  /** The client the logout names now, if any. */
  clientId?: string;
  /** Where that client came from: the request's client_id, or the hint's unverified aud. */
  clientIdFrom?: 'client_id' | 'id_token_hint aud';
}

const clip = (value: string) => value.slice(0, MAX_ID_LENGTH);

function kidOf(hint: string): string | undefined {
  try {
    const { kid } = decodeProtectedHeader(hint);
    return typeof kid === 'string' && kid !== '' ? kid : undefined;
  } catch {
    return undefined;
  }
}

/** The hint's audience when it names exactly one client (oidc-provider looks the client up by it). */
function audienceOf(hint: string): string | undefined {
  try {
    const { aud } = decodeJwt(hint);
    const single = Array.isArray(aud) && aud.length === 1 ? aud[0] : aud;
    return typeof single === 'string' && single !== '' ? single : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The logout parameters without a hint signed by a key outside `kids`, with `client_id` added from
 * the hint when the request had none; `ignored` says what was dropped. Anything else: unchanged.
 */
export function withoutUnverifiableHint(params: URLSearchParams, kids: ReadonlySet<string>): { params: URLSearchParams; ignored?: IgnoredHint } {
  const hints = params.getAll('id_token_hint');
  // Duplicates are the provider's to refuse.
  if (hints.length !== 1) return { params };
  const hint = hints[0]!;
  const kid = kidOf(hint);
  if (kid === undefined || kids.has(kid)) return { params };

  const result = new URLSearchParams(params);
  result.delete('id_token_hint');
  const requested = params.get('client_id');
  if (requested) return { params: result, ignored: { kid, clientId: requested, clientIdFrom: 'client_id' } };
  const audience = audienceOf(hint);
  if (audience === undefined) return { params: result, ignored: { kid } };
  result.set('client_id', audience);
  return { params: result, ignored: { kid, clientId: audience, clientIdFrom: 'id_token_hint aud' } };
}

/** A request body up to oidc-provider's own limit for a form; undefined when it is larger. */
export async function readBody(req: AsyncIterable<Buffer>): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > BODY_LIMIT) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface LogoutHintDeps {
  /** The kids of every key this provider verifies with. */
  kids: ReadonlySet<string>;
  /** oidc-provider's end_session path (`provider.pathFor('end_session')`). */
  path: string;
  audit?: AuditRecorder;
  log?: Logger;
}

/** Provider middleware (`provider.use`): drops an unverifiable hint from a logout request. */
export function logoutWithoutUnverifiableHint(deps: LogoutHintDeps): Middleware {
  const report = (ip: string, ignored: IgnoredHint) => {
    const reason = `id_token_hint signed by key ${clip(ignored.kid)}, which this server no longer holds (deleted after its retention, or revoked); the logout goes on through the confirmation page`;
    const clientId = ignored.clientId ? clip(ignored.clientId) : undefined;
    const details = {
      kid: clip(ignored.kid),
      ...(clientId ? { client_id: clientId, client_id_from: ignored.clientIdFrom } : {}),
      reason,
    };
    deps.log?.info('logout: id_token_hint ignored', details);
    try {
      // The hint's subject is unverified: nobody is named as the actor.
      const by = { actor: 'anonymous', sourceAddress: clip(ip) } as const;
      void deps.audit?.record(by, { action: 'logout.hint_ignored', ...(clientId ? { target: `client:${clientId}` as const } : {}), details }).catch(() => {});
    } catch {
      // Recording never breaks the logout it describes.
    }
  };

  return async (ctx, next) => {
    if (ctx.path !== deps.path) return next();
    if (ctx.method === 'GET') {
      const { params, ignored } = withoutUnverifiableHint(new URLSearchParams(ctx.querystring), deps.kids);
      if (ignored) {
        ctx.querystring = params.toString();
        report(ctx.ip, ignored);
      }
      return next();
    }
    // Other bodies and methods: the provider refuses them as before.
    if (ctx.method !== 'POST' || !ctx.is('application/x-www-form-urlencoded')) return next();
    const body = await readBody(ctx.req);
    if (body === undefined) ctx.throw(413, 'request body too large');
    const { params, ignored } = withoutUnverifiableHint(new URLSearchParams(body), deps.kids);
    if (ignored) report(ctx.ip, ignored);
    ctx.method = 'GET';
    ctx.querystring = params.toString();
    try {
      await next();
    } finally {
      // The request was a POST for everything outside the provider (metrics count it so).
      ctx.method = 'POST';
    }
  };
}
