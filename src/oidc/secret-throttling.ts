// Throttles the secret checks the provider makes itself (see domain/throttling/secret-throttle.ts):
// - client secrets: counted per client_id and address where they are compared, and refused
//   before the comparison while that pair is locked. `compareClientSecret` is the provider's own
//   extension point for how a client secret is checked (its docs override it for hashed secrets);
// - every failed client authentication and every bad initial or registration access token
//   counts for the source address; a locked address is turned away in front of the provider
//   (http/provider-gate.ts) before any of this runs.
import type { EventEmitter } from 'node:events';
import Provider, { errors } from 'oidc-provider';
import type { SecretThrottle } from '../domain/throttling/secret-throttle.js';
import type { Logger } from '../logger.js';

/** 429 with the standard error shape; the provider's error handler renders it like its own. */
class TooManyAttempts extends errors.OIDCProviderError {
  constructor(waitMs: number) {
    const seconds = Math.ceil(waitMs / 1000);
    super(429, 'temporarily_unavailable');
    this.error_description = `Too many failed attempts for this client from this address. Try again in ${seconds} seconds.`;
    Provider.ctx?.set('Retry-After', String(seconds));
  }
}

/** Endpoints whose failures mean a wrong client secret, client or token, by the error they carry. */
const FAILURE_EVENTS: Record<string, string> = {
  'grant.error': 'invalid_client',
  'introspection.error': 'invalid_client',
  'revocation.error': 'invalid_client',
  'registration_create.error': 'invalid_token',
  'registration_read.error': 'invalid_token',
  'registration_update.error': 'invalid_token',
  'registration_delete.error': 'invalid_token',
};

export function throttleProviderSecrets(provider: Provider, throttle: SecretThrottle, log: Logger): void {
  const count = (what: Promise<void>) => what.catch((error: unknown) => log.error('a failed attempt could not be counted', { err: error }));

  const { prototype } = provider.Client;
  const compare = prototype.compareClientSecret;
  prototype.compareClientSecret = async function compareThrottled(actual: string): Promise<boolean> {
    const address = Provider.ctx?.ip ?? '';
    const wait = throttle.clientLockedFor(this.clientId, address);
    if (wait > 0) throw new TooManyAttempts(wait);
    const matches = await compare.call(this, actual);
    if (!matches) await count(throttle.clientFailed(this.clientId, address));
    return matches;
  };

  // The typings list each event name separately; this registers several at once.
  const emitter: EventEmitter = provider;
  for (const [event, failure] of Object.entries(FAILURE_EVENTS)) {
    emitter.on(event, (ctx: { ip: string }, error: { error?: string } | undefined) => {
      if (error?.error === failure) void count(throttle.addressFailed(ctx.ip));
    });
  }
}
