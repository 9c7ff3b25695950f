// Signing keys: created at start-up (never lazily on a request), sealed at rest, changed only by
// the lifecycle's plans (lifecycle.ts), each change in one transaction under the key-set lock and
// logged once with its kid and reason, and recorded in the audit log (once committed) with who
// made it. The CLI, the scheduler and the server use this service.
import { createHash } from 'node:crypto';
import type { JWK } from 'jose';
import type { EncryptionAlg, SigningAlg } from '../../config.js';
import type { ChangeAnnouncer } from '../../db/change-feed.js';
import type { LockedSigningKeys, SigningKeyRecord, SigningKeyRepository } from '../../db/signing-key-repository.js';
import type { Logger } from '../../logger.js';
import { SYSTEM, type AuditEntry, type AuditRecorder, type By } from '../audit/actions.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { createDatabaseKeyStore, hasPrivateKey, sealPurpose, type GeneratedKey, type KeyStore, type PrivateKeyRef, type SigningKey } from './key-store.js';
import { isEncryptionAlg, keyUse, type KeyUse } from './encryption-keys.js';
import {
  isRotationDue,
  planCompletion,
  planExpiry,
  planRemovedAlgorithms,
  planRevocation,
  planRotation,
  type KeyChange,
  type KeyPolicy,
  type Plan,
} from './lifecycle.js';

type KeyAlg = SigningAlg | EncryptionAlg;

/** A key change the rules refuse (a 409 / exit 2 like any conflict); `forceable`: forcing would do it. */
export class KeyChangeRefused extends ConflictError {
  constructor(
    message: string,
    readonly forceable: boolean,
  ) {
    super(message);
  }
}

export interface KeyView {
  kid: string;
  alg: string;
  /** sig: signs tokens; enc: RPs encrypt to it (encryption-keys.ts). */
  use: KeyUse;
  state: string;
  created_at: string;
  published_at: string;
  activated_at: string | null;
  retired_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

/** What the JWKS serves: the public keys of every next, active and retired key. */
export interface PublishedKeySet {
  /** Changes whenever a key enters, leaves or changes state. */
  version: string;
  keys: JWK[];
}

/**
 * One read of the key table: what to publish and, from the same rows, the private keys to sign
 * with, so the provider and /jwks can never be built from two different reads.
 */
export interface KeySnapshot {
  set: PublishedKeySet;
  /**
   * Opens the keys the provider needs (active first): private JWKs, or keys that sign in an HSM
   * (key-store.ts); throws KeySetUnavailable when it cannot sign.
   */
  signingJwks(): Promise<SigningKey[]>;
}

/**
 * This instance cannot sign with the published key set: a key it must sign with is sealed with a
 * KEY_ENCRYPTION_SECRET it does not have (or a family has no active key). It must not sign at all
 * rather than with keys that are no longer published.
 */
export class KeySetUnavailable extends Error {
  override name = 'KeySetUnavailable';
}

export interface AppliedChange {
  kind: KeyChange['kind'];
  kid: string;
  alg: string;
  reason: string;
}

export interface KeyServiceOptions {
  algs: SigningAlg[];
  /** ENCRYPTION_ALGS, and how long their retired keys stay (lifecycle.ts's encryptionRetention). */
  encryption?: { algs: EncryptionAlg[]; retiredRetention: number };
  rsaModulusLength: number;
  policy: KeyPolicy;
  log: Logger;
  /** Removes sessions, grants and tokens created at or before `end`; returns how many. */
  revokeIssuedBefore?: (end: Date) => Promise<number>;
  /** Where key state changes are recorded (`key.created`, `key.activated`, ...); never throws. */
  audit: AuditRecorder;
  /**
   * The clock for key decisions. Default: the database's, read once per decision, so that every
   * instance decides by the same time whatever its own clock says (tests pass a fake one).
   */
  now?: () => Date;
  /** Tells every instance that the key set changed, so a revoked key stops signing everywhere at once. */
  changes?: ChangeAnnouncer;
  /** Where private keys are made, opened and destroyed (KEY_STORE). Default: sealed in the key table with `box`. */
  store?: KeyStore;
  /** KEY_ACTIVATION_GATE (jwks-watch.ts): of the families due for a scheduled rotation, those that may rotate now. */
  activationGate?: (due: { alg: string; keys: SigningKeyRecord[] }[], at: Date) => Promise<string[]>;
}

/** Who made a change (default: the system), and whether past the lifecycle's safeguards. */
interface AuditContext {
  by: By;
  forced?: true;
}

/** The audit action for each kind of change. */
const AUDIT_ACTIONS = {
  create: 'key.created',
  activate: 'key.activated',
  reinstate: 'key.reinstated',
  retire: 'key.retired',
  revoke: 'key.revoked',
  delete: 'key.deleted',
} as const satisfies Record<KeyChange['kind'], AuditEntry['action']>;

const keyPurpose = sealPurpose;
const iso = (date: Date | null) => date?.toISOString() ?? null;
const PUBLISHED = new Set(['next', 'active', 'retired']);

/** Active keys first: oidc-provider signs with the first key in the set that fits the alg. */
const SIGNING_ORDER: Record<string, number> = { active: 0, next: 1, retired: 2 };

function toView(key: SigningKeyRecord): KeyView {
  return {
    kid: key.kid,
    alg: key.alg,
    use: keyUse(key.alg),
    state: key.state,
    created_at: key.createdAt.toISOString(),
    published_at: key.publishedAt.toISOString(),
    activated_at: iso(key.activatedAt),
    retired_at: iso(key.retiredAt),
    expires_at: iso(key.expiresAt),
    revoked_at: iso(key.revokedAt),
  };
}

/** The public half of every published key, in signing order, and a version for caches. */
function publishedSetOf(keys: SigningKeyRecord[]): PublishedKeySet {
  const published = keys.filter((k) => PUBLISHED.has(k.state)).sort((a, b) => SIGNING_ORDER[a.state]! - SIGNING_ORDER[b.state]! || a.alg.localeCompare(b.alg));
  const version = createHash('sha256')
    .update(published.map((k) => `${k.kid}:${k.state}`).join(','))
    .digest('base64url')
    .slice(0, 22);
  return { version, keys: published.map((k) => JSON.parse(k.publicJwk) as JWK) };
}

function family(keys: SigningKeyRecord[], alg: string): SigningKeyRecord[] {
  return keys.filter((k) => k.alg === alg);
}

export function createKeyService(repo: SigningKeyRepository, box: SecretBox, options: KeyServiceOptions) {
  const fixedClock = options.now;
  const now = async (): Promise<Date> => (fixedClock ? fixedClock() : repo.databaseTime());
  const { log, policy } = options;
  const enabled = new Set<string>(options.algs);
  const store = options.store ?? createDatabaseKeyStore(box, options.rsaModulusLength);
  // Encryption families go through the same lifecycle; only their retention differs.
  const encryptionAlgs: readonly string[] = options.encryption?.algs ?? [];
  const families: string[] = [...options.algs, ...encryptionAlgs];
  const published = new Set<string>(families);
  const encryptionPolicy: KeyPolicy = { ...policy, retiredRetention: options.encryption?.retiredRetention ?? policy.retiredRetention };
  const policyFor = (alg: string): KeyPolicy => (isEncryptionAlg(alg) ? encryptionPolicy : policy);
  // Encryption keys stay sealed in the database whatever KEY_STORE says: oidc-provider decrypts
  // only with a private JWK (an external key can sign, not decrypt).
  const sealed = createDatabaseKeyStore(box, options.rsaModulusLength);
  const storeFor = (alg: string): KeyStore => (isEncryptionAlg(alg) ? sealed : store);
  const noun = (alg: string) => (isEncryptionAlg(alg) ? 'encryption key' : 'signing key');
  /** Keys of algorithms taken out of SIGNING_ALGS or ENCRYPTION_ALGS retire, each by its own retention. */
  const removedAlgorithms = (keys: SigningKeyRecord[], at: Date): KeyChange[] => [
    ...planRemovedAlgorithms(
      keys.filter((k) => !isEncryptionAlg(k.alg)),
      options.algs,
      at,
      policy,
    ),
    ...planRemovedAlgorithms(
      keys.filter((k) => isEncryptionAlg(k.alg)),
      encryptionAlgs,
      at,
      encryptionPolicy,
      'ENCRYPTION_ALGS',
    ),
  ];

  /**
   * The private keys of a snapshot's published keys, active first. Strict (start-up): every one
   * must open. Otherwise every active key must; a next or retired key this instance cannot open
   * is left out (it cannot sign here until the secret is fixed) and said once in the log.
   */
  async function openSigningKeys(rows: SigningKeyRecord[], strict: boolean): Promise<SigningKey[]> {
    const usable = rows
      .filter((k) => PUBLISHED.has(k.state) && hasPrivateKey(k) && published.has(k.alg))
      .sort((a, b) => SIGNING_ORDER[a.state]! - SIGNING_ORDER[b.state]!);
    const failures: string[] = [];
    const opened: SigningKey[] = [];
    for (const key of usable) {
      try {
        opened.push(await storeFor(key.alg).open(key));
      } catch (error) {
        const why = `${key.state} ${key.alg} key ${key.kid} cannot be ${key.privateJwe !== null ? 'decrypted' : 'opened'} (${(error as Error).message})`;
        if (strict || key.state === 'active') failures.push(why);
        else log.warn(`a published ${noun(key.alg)} is left out of this instance`, { kid: key.kid, alg: key.alg, state: key.state, err: error });
      }
    }
    const missing = families.filter((alg) => !rows.some((k) => k.alg === alg && k.state === 'active'));
    if (missing.length > 0) failures.push(`no active key for ${missing.join(', ')}`);
    if (failures.length > 0) {
      throw new KeySetUnavailable(
        `cannot sign with the published key set: ${failures.join('; ')}. ` +
          (store.kind === 'pkcs11'
            ? `Every instance needs the same PKCS#11 token (PKCS11_TOKEN_LABEL) holding the keys, and the KEY_ENCRYPTION_SECRET of keys sealed before KEY_STORE=pkcs11 (see "Keys in an HSM" in the README)`
            : `Every instance needs the KEY_ENCRYPTION_SECRET the keys are sealed with in its list (see the key-rotation runbook in the README)`),
      );
    }
    return opened;
  }

  const snapshotOf = (rows: SigningKeyRecord[], strict = false): KeySnapshot => ({
    set: publishedSetOf(rows),
    signingJwks: () => openSigningKeys(rows, strict),
  });

  function checkAlg(alg: string): string {
    if (!families.includes(alg)) {
      const encryption = encryptionAlgs.length > 0 ? `, ENCRYPTION_ALGS ${encryptionAlgs.join(', ')}` : '';
      throw new ValidationError(`algorithm ${alg} is not enabled; SIGNING_ALGS has ${options.algs.join(', ')}${encryption}`, 'alg');
    }
    return alg;
  }

  /**
   * Key pairs made for one change: generated before the lock (RSA keys take a while), taken by the
   * plan made under it. Whatever the committed change did not use (another instance acted first, or
   * the transaction rolled back) is destroyed, and so are the private keys of the keys it revoked
   * or deleted, once committed: an HSM token must not fill with keys nobody refers to.
   */
  interface Generation {
    pool: GeneratedKey[];
    made: GeneratedKey[];
    used: Set<string>;
    /** Private keys of revoked and deleted keys, destroyed after the commit. */
    released: PrivateKeyRef[];
  }

  async function material(generation: Generation, alg: string): Promise<GeneratedKey> {
    const index = generation.pool.findIndex((m) => m.alg === alg);
    const key = index >= 0 ? generation.pool.splice(index, 1)[0]! : await storeFor(alg).generate(alg as KeyAlg);
    if (index < 0) generation.made.push(key);
    generation.used.add(key.kid);
    return key;
  }

  /** Destroys private keys outside the table (an HSM's); a failure is logged with what to remove by hand. */
  async function destroyAll(refs: PrivateKeyRef[], why: string): Promise<void> {
    for (const ref of refs) {
      try {
        await store.destroy(ref);
      } catch (error) {
        log.error('a private key could not be destroyed in the key store: remove it by hand', { hsmKeyId: ref.hsmKeyId, why, err: error });
      }
    }
  }

  /** Records committed changes in the audit log, in the order they were made. */
  async function audit(by: By, entries: AuditEntry[]): Promise<void> {
    for (const entry of entries) await options.audit.record(by, entry);
  }

  async function apply(
    keys: LockedSigningKeys,
    changes: KeyChange[],
    generation: Generation,
    at: Date,
    how: AuditContext,
    events: AuditEntry[],
  ): Promise<AppliedChange[]> {
    const existing = await keys.list();
    const algOf = (kid: string) => existing.find((k) => k.kid === kid)?.alg ?? '';
    const release = (kid: string) => {
      const row = existing.find((k) => k.kid === kid);
      if (row) generation.released.push({ privateJwe: row.privateJwe, hsmKeyId: row.hsmKeyId });
    };
    const applied: AppliedChange[] = [];
    for (const change of changes) {
      let kid: string;
      let alg: string;
      switch (change.kind) {
        case 'activate':
          ({ kid } = change);
          alg = algOf(kid);
          await keys.update(kid, { state: 'active', activatedAt: change.at });
          break;
        case 'reinstate':
          ({ kid } = change);
          alg = algOf(kid);
          // retiredAt stays: it marks the key as a stand-in that the next maintenance retires again.
          await keys.update(kid, { state: 'active', activatedAt: change.at, expiresAt: null });
          break;
        case 'retire':
          ({ kid } = change);
          alg = algOf(kid);
          await keys.update(kid, { state: 'retired', retiredAt: change.at, expiresAt: change.expiresAt });
          break;
        case 'revoke':
          ({ kid } = change);
          alg = algOf(kid);
          // The private key is destroyed with the revocation: it can never sign again (in an HSM, once committed).
          await keys.update(kid, { state: 'revoked', revokedAt: change.at, privateJwe: null, hsmKeyId: null, expiresAt: null });
          release(kid);
          break;
        case 'delete':
          ({ kid } = change);
          alg = algOf(kid);
          await keys.delete(kid);
          release(kid);
          break;
        case 'create': {
          const m = await material(generation, change.alg);
          ({ kid, alg } = m);
          await keys.create({
            kid,
            alg,
            state: change.state,
            publicJwk: JSON.stringify(m.publicJwk),
            ...m.ref,
            publishedAt: at,
            activatedAt: change.state === 'active' ? at : null,
          });
          break;
        }
      }
      log.info(`${noun(alg)} ${change.kind === 'create' ? `created (${change.state})` : change.kind}`, {
        kid,
        alg,
        reason: change.reason,
      });
      applied.push({ kind: change.kind, kid, alg, reason: change.reason });
      events.push({
        action: AUDIT_ACTIONS[change.kind],
        target: `key:${kid}` as const,
        details: {
          kid,
          alg,
          reason: change.reason,
          ...(change.kind === 'create' ? { state: change.state } : {}),
          ...(how.forced ? { forced: true as const } : {}),
        },
      });
    }
    return applied;
  }

  /**
   * Plans on a plain read first (to generate new key material outside the lock: RSA keys take a
   * while), then takes the lock, plans again on what is there now, and applies that plan.
   */
  async function change(planFor: (keys: SigningKeyRecord[], at: Date) => Plan, how: AuditContext): Promise<AppliedChange[]> {
    return (await changeWithWarnings(planFor, how)).applied;
  }

  async function changeWithWarnings(
    planFor: (keys: SigningKeyRecord[], at: Date) => Plan,
    how: AuditContext,
  ): Promise<{ applied: AppliedChange[]; warnings: string[] }> {
    const draft = planFor(await repo.list(), await now());
    if (!draft.ok) throw new KeyChangeRefused(draft.reason, draft.forceable === true);
    if (draft.changes.length === 0) return { applied: [], warnings: [] };
    const generation: Generation = { pool: [], made: [], used: new Set(), released: [] };
    const pending = draft.changes.flatMap((c) => (c.kind === 'create' ? [storeFor(c.alg).generate(c.alg as KeyAlg)] : []));
    const results = await Promise.allSettled(pending);
    generation.pool = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    generation.made.push(...generation.pool);
    const failedGeneration = results.find((r) => r.status === 'rejected');
    if (failedGeneration) {
      await destroyAll(
        generation.made.map((k) => k.ref),
        'key generation failed',
      );
      throw failedGeneration.reason;
    }
    // Recorded once the transaction has committed: a rolled-back change never happened (and the
    // audit write must not wait on the key-set lock's transaction).
    const events: AuditEntry[] = [];
    let warnings: string[] = [];
    const at = await now();
    let applied: AppliedChange[];
    try {
      applied = await repo.exclusive(async (keys) => {
        events.length = 0;
        // Should the callback run again, what an earlier run took goes back into the pool.
        generation.pool.push(...generation.made.filter((k) => generation.used.has(k.kid) && !generation.pool.includes(k)));
        generation.used.clear();
        generation.released.length = 0;
        const plan = planFor(await keys.list(), at);
        if (!plan.ok) throw new KeyChangeRefused(plan.reason, plan.forceable === true);
        warnings = plan.warnings ?? [];
        return apply(keys, plan.changes, generation, at, how, events);
      });
    } catch (error) {
      await destroyAll(
        generation.made.map((k) => k.ref),
        'the key change was not made',
      );
      throw error;
    }
    await destroyAll(
      [...generation.released, ...generation.made.filter((k) => !generation.used.has(k.kid)).map((k) => k.ref)],
      'revoked, deleted or not needed',
    );
    for (const warning of warnings) log.warn('signing key change with a risk', { warning });
    // Before the audit record: the sooner the others hear, the sooner a revoked key stops signing.
    if (applied.length > 0) await options.changes?.announce('keys');
    await audit(how.by, events);
    return { applied, warnings };
  }

  /** One plan over every configured family; refused as a whole if any family refuses. */
  function acrossFamilies(algs: string[], planOne: (keys: SigningKeyRecord[], alg: string, at: Date) => Plan) {
    return (keys: SigningKeyRecord[], at: Date): Plan => {
      const changes: KeyChange[] = [];
      for (const alg of algs) {
        const plan = planOne(family(keys, alg), alg, at);
        if (!plan.ok) return { ...plan, reason: algs.length > 1 ? `${alg}: ${plan.reason}` : plan.reason };
        changes.push(...plan.changes);
      }
      return { ok: true, changes };
    };
  }

  /**
   * The scheduler's maintenance on keys already read: rotates families whose active key has
   * signed for a full interval and deletes retired keys whose retention is over. Only when there
   * is something to do is the lock taken (and the plan remade under it, so of several instances
   * ticking at once exactly one acts). A rotation refused by the rules is logged, not forced.
   */
  async function maintainFrom(keys: SigningKeyRecord[], at: Date): Promise<AppliedChange[]> {
    const scheduled = families.filter((alg) => isRotationDue(family(keys, alg), at, policyFor(alg)));
    // The activation gate may hold some of them (it logs and audits that itself).
    const due = options.activationGate
      ? await options.activationGate(
          scheduled.map((alg) => ({ alg, keys: family(keys, alg) })),
          at,
        )
      : scheduled;
    const removed = removedAlgorithms(keys, at);
    if (due.length === 0 && removed.length === 0 && planExpiry(keys, at).length === 0) return [];
    try {
      return await change(
        (current, time) => {
          const changes: KeyChange[] = [...planExpiry(current, time), ...removedAlgorithms(current, time)];
          for (const alg of families) {
            const keysOfAlg = family(current, alg);
            if (!due.includes(alg) || !isRotationDue(keysOfAlg, time, policyFor(alg))) continue;
            // Expired retired keys are deleted above; plan the rotation as if they were gone.
            const remaining = keysOfAlg.filter((k) => !changes.some((c) => c.kind === 'delete' && c.kid === k.kid));
            const plan = planRotation(remaining, time, policyFor(alg));
            if (plan.ok) changes.push(...plan.changes);
            else log.warn('scheduled rotation postponed', { alg, reason: plan.reason });
          }
          return { ok: true, changes };
        },
        { by: SYSTEM },
      );
    } catch (error) {
      log.error('key maintenance failed', { err: error });
      return [];
    }
  }

  return {
    /** Start-up: the key store is reachable (KEY_STORE=pkcs11: the module loads, the token is there, the PIN opens it). */
    checkStore(): Promise<void> {
      return store.check();
    },

    /** Every configured family gets its active and next key (at start-up, and after a revocation). */
    ensureKeys(by: By = SYSTEM): Promise<AppliedChange[]> {
      return change(
        acrossFamilies(families, (keys, alg, at) => ({ ok: true, changes: planCompletion(keys, alg, at) })),
        { by },
      );
    },

    /** `keys rotate`: next → active → retired, and a new next key, for one family or all. */
    rotate(opts: { alg?: string; force?: boolean } = {}, by: By = SYSTEM): Promise<AppliedChange[]> {
      const algs = opts.alg ? [checkAlg(opts.alg)] : families;
      return change(
        acrossFamilies(algs, (keys, alg, at) => planRotation(keys, at, policyFor(alg), { force: opts.force })),
        { by, ...(opts.force ? { forced: true as const } : {}) },
      );
    },

    /**
     * `keys revoke`: gone from the JWKS and its private key destroyed at once. With
     * `revokeGrants`, the sessions, grants and tokens that existed while it could sign go too.
     */
    async revoke(
      kid: string,
      opts: { revokeGrants?: boolean } = {},
      by: By = SYSTEM,
    ): Promise<{ changes: AppliedChange[]; warnings: string[]; revokedGrants?: number }> {
      const target = (await repo.list()).find((k) => k.kid === kid);
      if (!target) throw new NotFoundError(`no signing key with kid ${kid}`);
      const { applied: changes, warnings } = await changeWithWarnings((keys, at) => planRevocation(family(keys, target.alg), kid, at, policyFor(target.alg)), {
        by,
      });
      // A key that never signed (a next key, an encryption key) has nothing to take back.
      if (!opts.revokeGrants || !target.activatedAt || isEncryptionAlg(target.alg))
        return { changes, warnings, ...(opts.revokeGrants ? { revokedGrants: 0 } : {}) };
      if (!options.revokeIssuedBefore) throw new Error('revoking grants is not wired in this process');
      // Whatever existed while the key could sign: up to its retirement, or until now.
      const end = target.state === 'retired' && target.retiredAt ? target.retiredAt : await now();
      const revokedGrants = await options.revokeIssuedBefore(end);
      log.info('grants and sessions revoked with a signing key', { kid, count: revokedGrants });
      await audit(by, [{ action: 'key.grants_revoked', target: `key:${kid}`, details: { kid, alg: target.alg, count: revokedGrants } }]);
      return { changes, warnings, revokedGrants };
    },

    /** Scheduled rotation and expiry, now (see maintainFrom). */
    async maintain(): Promise<AppliedChange[]> {
      return maintainFrom(await repo.list(), await now());
    },

    /**
     * One scheduler tick: the database's time, maintenance, and a snapshot of the key set. In the
     * usual case (nothing due) that is the clock and one read of the key table.
     */
    async tick(): Promise<KeySnapshot> {
      const at = await now();
      const keys = await repo.list();
      const applied = await maintainFrom(keys, at);
      return snapshotOf(applied.length > 0 ? await repo.list() : keys);
    },

    /**
     * The key set as it is now, from one read. `strict` (start-up): every published private key
     * must open, so an instance missing a secret refuses to start instead of failing later.
     */
    async load(opts: { strict?: boolean } = {}): Promise<KeySnapshot> {
      return snapshotOf(await repo.list(), opts.strict === true);
    },

    async list(): Promise<KeyView[]> {
      return (await repo.list()).map(toView);
    },

    /** The public half of every published key, in signing order, and a version for caches. */
    async publishedKeySet(): Promise<PublishedKeySet> {
      return publishedSetOf(await repo.list());
    },

    /** What every published key signs with, active first, for the provider's `jwks` option. */
    async signingJwks(): Promise<SigningKey[]> {
      return openSigningKeys(await repo.list(), true);
    },

    /** Clients that ask for ID tokens signed with an algorithm that is not enabled (a start-up warning). */
    isEnabled(alg: string): boolean {
      return enabled.has(alg);
    },

    /** Re-seals private keys sealed under an older KEY_ENCRYPTION_SECRET with the current one. */
    async rewrap(): Promise<number> {
      let count = 0;
      for (const key of await repo.list()) {
        if (!key.privateJwe || !box.isStale(key.privateJwe)) continue;
        const plaintext = await box.open(key.privateJwe, keyPurpose(key.kid));
        await repo.reseal(key.kid, await box.seal(plaintext, keyPurpose(key.kid)));
        count++;
      }
      if (count > 0) log.info('signing keys re-encrypted under the current secret', { count });
      return count;
    },
  };
}

export type KeyService = ReturnType<typeof createKeyService>;
