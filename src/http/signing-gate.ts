// While this instance cannot sign with the published key set (oidc/key-set-sync.ts suspends the
// provider), every provider request is answered 503 here rather than risk a token signed by a key
// that is no longer published. Discovery needs no key and stays up; /jwks is served by us from
// the published set and is not affected. /readyz says not ready, so balancers route elsewhere.
import type { Context } from 'koa';
import type { ProviderHolder } from '../oidc/provider-holder.js';

const UNSIGNED = new Set(['/.well-known/openid-configuration']);

/** Answers 503 and returns true when signing is stopped and this request goes to the provider. */
export function refuseWhileNotSigning(ctx: Context, holder: ProviderHolder): boolean {
  const reason = holder.suspended();
  if (!reason || UNSIGNED.has(ctx.path)) return false;
  ctx.status = 503;
  ctx.set('Retry-After', '5');
  ctx.set('Cache-Control', 'no-store');
  ctx.body = {
    error: 'temporarily_unavailable',
    error_description: 'This Sesame instance cannot sign with the current keys right now. Try again in a moment.',
  };
  return true;
}
