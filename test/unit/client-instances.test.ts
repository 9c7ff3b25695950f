import Provider, { type Adapter, type AdapterPayload } from 'oidc-provider';
import { describe, expect, it } from 'vitest';
import { reuseClientInstances } from '../../src/oidc/client-instances.js';

/** A real provider whose clients come from `metadata` through its adapter, which counts its reads. */
function providerWith(metadata: Map<string, AdapterPayload>) {
  const reads = { count: 0 };
  class ClientsOnly implements Adapter {
    constructor(private readonly model: string) {}
    async find(id: string) {
      if (this.model !== 'Client') return undefined;
      reads.count++;
      return metadata.get(id);
    }
    async upsert() {}
    async findByUid() {
      return undefined;
    }
    async findByUserCode() {
      return undefined;
    }
    async consume() {}
    async destroy() {}
    async revokeByGrantId() {}
  }
  const provider = new Provider('http://localhost:3000', { adapter: ClientsOnly, features: { clientCredentials: { enabled: true } } });
  reuseClientInstances(provider.Client, async (id) => metadata.get(id));
  return { provider, reads };
}

const machine = (secret: string): AdapterPayload => ({
  client_id: 'machine',
  client_secret: secret,
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
});

describe('reuseClientInstances', () => {
  it('builds a client once for an unchanged metadata object, without reading it through the provider again', async () => {
    const metadata = new Map([['machine', machine('first secret, long enough to be one')]]);
    const { provider, reads } = providerWith(metadata);
    const first = await provider.Client.find('machine');
    expect(first?.clientSecret).toBe('first secret, long enough to be one');
    expect(reads.count).toBe(1);
    expect(await provider.Client.find('machine')).toBe(first);
    expect(await provider.Client.find('machine')).toBe(first);
    expect(reads.count).toBe(1);
  });

  it('builds the client again from new metadata once the client changed (a rotated secret)', async () => {
    const metadata = new Map([['machine', machine('first secret, long enough to be one')]]);
    const { provider } = providerWith(metadata);
    const before = await provider.Client.find('machine');
    metadata.set('machine', machine('second secret, long enough as well'));
    const after = await provider.Client.find('machine');
    expect(after).not.toBe(before);
    expect(after?.clientSecret).toBe('second secret, long enough as well');
  });

  it('finds nothing for an unknown or empty client id, nor for a client deleted after it was found', async () => {
    const metadata = new Map([['machine', machine('first secret, long enough to be one')]]);
    const { provider } = providerWith(metadata);
    expect(await provider.Client.find('nobody')).toBeUndefined();
    expect(await provider.Client.find('')).toBeUndefined();
    expect(await provider.Client.find('machine')).toBeDefined();
    metadata.delete('machine');
    expect(await provider.Client.find('machine')).toBeUndefined();
  });
});
