// oidc-provider's Client.find builds a client from the adapter's metadata and keeps it under a
// SHA-256 of that metadata's JSON, so every request that names a client (token, introspection,
// userinfo, ...) serialises and hashes the client's metadata again: 12 µs of a 360 µs
// client_credentials request, measured. The client service hands out the same metadata object for
// as long as the client is unchanged (its cache drops the object on a change, on every instance
// within a second), so the client built from an object is kept with that object and found by it.
// A changed client comes as a new object, which builds a new client; the old pair is garbage.

/** The static side of oidc-provider's Client class that this needs. */
export interface ClientFinder<C extends object> {
  find(id: string): Promise<C | undefined>;
}

/**
 * Wraps `Client.find` so that a client is built once per metadata object. `metadataOf` must be what
 * the provider's adapter reads (the same object for an unchanged client).
 */
export function reuseClientInstances<C extends object>(Client: ClientFinder<C>, metadataOf: (id: string) => Promise<object | undefined>): void {
  const find = Client.find.bind(Client);
  const built = new WeakMap<object, C>();
  Client.find = async (id: string) => {
    const metadata = typeof id === 'string' && id.length > 0 ? await metadataOf(id) : undefined;
    if (!metadata) return find(id);
    const known = built.get(metadata);
    if (known) return known;
    const client = await find(id);
    if (client) built.set(metadata, client);
    return client;
  };
}
