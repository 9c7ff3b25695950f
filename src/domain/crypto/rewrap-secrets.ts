// Everything sealed at rest (private signing keys, client secrets) sealed again under the first
// KEY_ENCRYPTION_SECRET, after a new one was put in front of the old: one change, one audit record.
import type { AuditRecorder, By } from '../audit/actions.js';

export interface Rewrapped {
  signing_keys: number;
  client_secrets: number;
}

export interface RewrapDeps {
  keys: { rewrap(): Promise<number> };
  clients: { rewrap(): Promise<number> };
  audit: AuditRecorder;
}

export async function rewrapSecrets({ keys, clients, audit }: RewrapDeps, by: By): Promise<Rewrapped> {
  const rewrapped = { signing_keys: await keys.rewrap(), client_secrets: await clients.rewrap() };
  await audit.record(by, { action: 'keys.rewrapped', target: 'keys', details: rewrapped });
  return rewrapped;
}
