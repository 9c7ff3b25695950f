// In front of the provider's endpoints that check a client secret or a registration token: an
// address locked for too many failures gets 429 before the provider does any work. The check is
// this instance's memory only (secret-throttle.ts), so the token endpoint pays no database read.
import type { Context } from 'koa';
import type { SecretThrottle } from '../domain/throttling/secret-throttle.js';

const GATED = [/^\/token(\/introspection|\/revocation)?$/, /^\/reg(\/[^/]+)?$/];

export function gatedByAddress(ctx: Context): boolean {
  return GATED.some((pattern) => pattern.test(ctx.path));
}

/** Answers 429 and returns true when the address is locked out of the gated endpoints. */
export async function refuseLockedAddress(ctx: Context, throttle: SecretThrottle): Promise<boolean> {
  if (!gatedByAddress(ctx)) return false;
  await throttle.counted(ctx.ip);
  const wait = throttle.addressLockedFor(ctx.ip);
  if (wait <= 0) return false;
  const seconds = Math.ceil(wait / 1000);
  ctx.status = 429;
  ctx.set('Retry-After', String(seconds));
  ctx.set('Cache-Control', 'no-store');
  ctx.body = {
    error: 'temporarily_unavailable',
    error_description: `Too many failed attempts from this address. Try again in ${seconds} seconds.`,
  };
  return true;
}
