// How oidc_payload rows hold bearer secrets: not at all. A row whose id works as a credential
// (a token, a code, a session or interaction cookie value) is keyed by a digest of that id, and its
// payload leaves out every copy of it, so a copy of the table yields nothing an endpoint accepts.
// The adapter turns each id oidc-provider presents into its stored key here; the migration that
// rewrote the rows stored before (db/data-migrations.ts) uses the same rules. No Prisma here.
import { hash } from 'node:crypto';
import type { InteractionPayload, Payload } from './provider-payloads.js';

/**
 * Models whose ids are not bearer secrets, kept under their own id. A Grant id is only ever a
 * reference (`grantId` in tokens and sessions, the column revokeByGrantId deletes by): no endpoint
 * accepts one, and the admin API names grants by it. ReplayDetection ids name assertions and proofs
 * that were already used, kept to refuse them a second time. Every other model, including any a
 * later oidc-provider adds, is treated as a bearer secret.
 */
const KEPT_AS_IS: ReadonlySet<string> = new Set(['Grant', 'ReplayDetection']);

export const isBearerSecret = (model: string): boolean => !KEPT_AS_IS.has(model);

/**
 * The row key for an id as oidc-provider presents it (a cookie value, a token, a code).
 * Plain SHA-256, no secret key: the ids carry 126 to 256 random bits, which no one can guess
 * their way back to, and a keyed digest would end every session and token whenever
 * KEY_ENCRYPTION_SECRET is rotated.
 */
export function storedKeyFor(model: string, presentedId: string): string {
  if (!isBearerSecret(model)) return presentedId;
  // crypto.hash: one call, without building a Hash object for each id.
  return hash('sha256', presentedId, 'base64url');
}

/**
 * The payload as stored. For bearer-secret models: without `jti` (the id itself), and for an
 * Interaction also without the browser session's id (`session.cookie`, which oidc-provider writes
 * but never reads) and with its own id cut off the end of `returnTo`.
 */
export function concealPayload(model: string, presentedId: string, payload: Payload): Payload {
  if (!isBearerSecret(model)) return payload;
  const { jti: _id, ...stored } = payload;
  if (model !== 'Interaction') return stored;
  const { session, returnTo } = stored as InteractionPayload;
  if (session && typeof session === 'object') {
    const { cookie: _sessionId, ...rest } = session;
    stored.session = rest;
  }
  if (typeof returnTo === 'string' && returnTo.endsWith(`/${presentedId}`)) {
    stored.returnToWithoutId = returnTo.slice(0, -presentedId.length);
    delete stored.returnTo;
  }
  return stored;
}

/**
 * The payload oidc-provider stored, put back together with the id it was looked up by. A row
 * found by another column (a Session by its uid) comes back without its id: nothing can restore
 * it, and oidc-provider only reads such a session (lib/provider.js, token_helpers.js).
 */
export function revealPayload(model: string, presentedId: string | undefined, stored: Payload): Payload {
  if (!isBearerSecret(model)) return stored;
  const { returnToWithoutId, ...payload } = stored;
  if (presentedId === undefined) return payload;
  if (typeof returnToWithoutId === 'string') payload.returnTo = returnToWithoutId + presentedId;
  return { ...payload, jti: presentedId };
}
