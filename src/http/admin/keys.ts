// /keys: list, rotate and revoke signing and encryption keys: the same key service calls as `sesame keys ...`,
// so the lifecycle rules (lifecycle.ts) decide here exactly as they do for the CLI. A refused
// rotation (the next key not published long enough, a retired key still verifying) is a 409 that
// says why; `force` overrides it like --force. Every instance, this one included, picks the new
// key set up within a second (the change feed), KEY_SYNC_INTERVAL at the latest.
// The key service records each key transition in the audit log itself (key.created,
// key.activated, key.retired, key.revoked, key.grants_revoked, ...) with the caller passed to it.
import { ConflictError } from '../../domain/errors.js';
import { KeyChangeRefused } from '../../domain/keys/key-service.js';
import { route, type Route } from './route.js';
import { KeyChanges, KeyEventList, KeyEventQuery, KeyList, KeyParams, KeyRevokeInput, KeyRotateInput, KeyStatus } from './schemas.js';

export const keyRoutes: Route[] = [
  route({
    method: 'get',
    path: '/keys',
    operationId: 'listKeys',
    summary: 'List signing and encryption keys (never key material)',
    tag: 'keys',
    success: { status: 200, description: 'Every key, with its state and timestamps.', schema: KeyList },
    problems: [],
    handle: async ({ services }) => ({ items: await services.keys.list() }),
  }),

  route({
    method: 'get',
    path: '/keys/events',
    operationId: 'listKeyEvents',
    summary: 'List key events (every key state change) and their webhook deliveries, newest first',
    description: 'The same as `sesame keys events`; see "Key events" in the README for the format receivers get.',
    tag: 'keys',
    query: KeyEventQuery,
    success: { status: 200, description: 'Key events with their deliveries.', schema: KeyEventList },
    problems: [],
    handle: async ({ query, services }) => ({
      items: await services.keyEvents.list({ limit: query.limit ?? 20, failing: query.failed === 'true' }),
    }),
  }),
  route({
    method: 'get',
    path: '/keys/status',
    operationId: 'keyStatus',
    summary: 'How many recent JWKS fetchers have received each next key, and when it may activate',
    tag: 'keys',
    success: { status: 200, description: 'Per family: the next key, its pickup by recent fetchers, eligibility and any hold.', schema: KeyStatus },
    problems: [],
    handle: async ({ services }) => services.jwksWatch.status(),
  }),

  route({
    method: 'post',
    path: '/keys/rotate',
    operationId: 'rotateKeys',
    summary: 'Rotate now: next becomes active, active retires, a new next key is published',
    tag: 'keys',
    body: KeyRotateInput,
    success: { status: 200, description: 'What changed (empty when there was nothing to rotate).', schema: KeyChanges },
    problems: [409, 422],
    async handle({ body, services, by }) {
      let changes;
      try {
        changes = await services.keys.rotate(
          {
            ...(body.alg !== undefined ? { alg: body.alg } : {}),
            ...(body.force !== undefined ? { force: body.force } : {}),
          },
          by,
        );
      } catch (error) {
        // The service's reason names no channel's control: this is the API's.
        if (error instanceof KeyChangeRefused && error.forceable) throw new ConflictError(`${error.message}; "force": true rotates anyway`);
        throw error;
      }
      return { changes, keys: await services.keys.list() };
    },
  }),

  route({
    method: 'post',
    path: '/keys/{kid}/revoke',
    operationId: 'revokeKey',
    summary: 'Revoke a key (compromise): gone from the JWKS at once, its private key destroyed',
    tag: 'keys',
    params: KeyParams,
    body: KeyRevokeInput,
    success: { status: 200, description: 'What changed.', schema: KeyChanges },
    problems: [404, 409, 422],
    async handle({ params, body, services, by }) {
      const result = await services.keys.revoke(params.kid, { revokeGrants: body.revoke_grants ?? false }, by);
      return {
        changes: result.changes,
        keys: await services.keys.list(),
        ...(result.warnings.length > 0 ? { warnings: result.warnings } : {}),
        ...(result.revokedGrants !== undefined ? { revoked_grants: result.revokedGrants } : {}),
      };
    },
  }),
];
