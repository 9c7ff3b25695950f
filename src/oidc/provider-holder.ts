// Holds the current provider. oidc-provider fixes its key set at construction, so a key-set
// change builds a new provider and swaps it in; requests already inside the old one finish there.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export class ProviderHolder {
  #provider: Provider;
  #handler: Handler;

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

  swap(provider: Provider): void {
    this.#handler = provider.callback();
    this.#provider = provider;
  }
}
