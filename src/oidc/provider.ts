// Builds an oidc-provider instance for the current key set.
import Provider, { type Configuration, type JWK } from 'oidc-provider';
import type { Config } from '../config.js';
import { buildConfiguration } from './configuration.js';

export interface ProviderDeps {
  config: Config;
  adapter: Configuration['adapter'];
  findAccount: Configuration['findAccount'];
  resourceScopes(clientId: string, resource: string): Promise<string[] | undefined>;
}

export function createProvider(deps: ProviderDeps, jwks: JWK[]): Provider {
  const provider = new Provider(deps.config.issuer, buildConfiguration({ ...deps, jwks }));
  // The provider is a Koa app of its own: it needs to trust X-Forwarded-* just like ours.
  provider.proxy = deps.config.trustProxy;
  return provider;
}
