// Holds the current provider. oidc-provider fixes its key set at construction, so a key-set
// change builds a new provider and swaps it in; requests already inside the old one finish there.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export class ProviderHolder {
  #provider: Provider;
  #handler: Handler;
  #suspended: string | undefined;

  constructor(provider: Provider) {
    this.#provider = provider;
    this.#handler = provider.callback();
  }

  current(): Provider {
    return this.#provider;
  }

  /** The HTTP handler of the current provider, built once per provider. */
  handler(): Handler {
    return this.#handler;
  }

  /** Puts a provider built from the current key set in place (and ends a suspension). */
  swap(provider: Provider): void {
    this.#handler = provider.callback();
    this.#provider = provider;
    this.#suspended = undefined;
  }

  /**
   * Stops every request that could sign (see http/signing-gate.ts) until the next swap: the
   * provider's keys may no longer be the published ones.
   */
  suspend(reason: string): void {
    this.#suspended = reason;
  }

  /** Why signing is stopped, or undefined. */
  suspended(): string | undefined {
    return this.#suspended;
  }
}
