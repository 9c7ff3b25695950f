// Builds an oidc-provider instance for the current key set.
import Provider, { type Configuration, type JWK } from 'oidc-provider';
import type { Config } from '../config.js';
import { recordProviderEvents, type AuditRecorder } from './audit-events.js';
import { buildConfiguration } from './configuration.js';

export interface ProviderDeps {
  config: Config;
  adapter: Configuration['adapter'];
  findAccount: Configuration['findAccount'];
  resourceScopes(clientId: string, resource: string): Promise<string[] | undefined>;
  /** Records the provider's security events (revocations, sign-outs, failed client authentication). */
  audit?: AuditRecorder;
}

export function createProvider({ audit, ...deps }: ProviderDeps, jwks: JWK[]): Provider {
  const provider = new Provider(deps.config.issuer, buildConfiguration({ ...deps, jwks }));
  // The provider is a Koa app of its own: it needs to trust X-Forwarded-* just like ours.
  provider.proxy = deps.config.trustProxy;
  // Every provider gets the listeners: a key change replaces the provider with a new one.
  if (audit) recordProviderEvents(provider, audit);
  return provider;
}
