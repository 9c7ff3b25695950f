// Watching the JWKS: who fetches it (the fetch tally), how many of the recent fetchers already hold
// each family's next key (`keys status`, the admin API, the console), and KEY_ACTIVATION_GATE, which
// holds a scheduled activation until enough of them do (the key service asks `admit` before a
// scheduled rotation).
//
// "Recent" means seen within JWKS_FETCHER_RETENTION (the rows are kept that long). A window as short
// as JWKS_CACHE_LIFETIME would say nothing the publication rule does not already guarantee: the
// next key has been served for at least that long before it may sign, so every fetch in that
// window received it. The fetchers worth counting are those that fetched earlier and not since:
// RPs whose caches outlive JWKS_CACHE_LIFETIME.
import type { JwksFetcherRepository } from '../../db/jwks-fetcher-repository.js';
import type { Logger } from '../../logger.js';
import { SYSTEM, type AuditRecorder } from '../audit/actions.js';
import { decideActivation, eligibleAt, shareOf, type GateSettings } from './activation-gate.js';
import { FetchTally } from './fetch-tally.js';
import type { KeyView } from './key-service.js';
import { describeShare as percent } from './pickup-text.js';
import { planRotation, type KeyPolicy, type LifecycleKey } from './lifecycle.js';

export interface JwksWatchOptions {
  gate: GateSettings;
  /** How long a fetcher counts as recent, and is kept (ms). */
  retention: number;
  policy: KeyPolicy;
  /** The key list (the key service's). */
  listKeys(): Promise<KeyView[]>;
  digest(value: string): string;
  audit: AuditRecorder;
  log: Logger;
  /** The clock of status and fetch times (tests pass the key service's fake one). */
  now?: () => Date;
}

export interface FamilyPickup {
  alg: string;
  /** The family's next key, and when the schedule may first activate it. */
  next: { kid: string; published_at: string; eligible_at: string | null } | null;
  /** Fetchers seen within the window. */
  fetchers: number;
  /** Of those, the ones whose latest key set held the next key. */
  received: number;
  /** received / fetchers; null without fetchers. */
  share: number | null;
  /** Set while (or once) the gate held the next key: since when, until when at the latest. */
  hold: { since: string; until: string; released_at: string | null } | null;
}

export interface PickupStatus {
  /** Recent: seen within this many seconds (JWKS_FETCHER_RETENTION). */
  window_seconds: number;
  /** Distinct fetchers seen within the window. */
  recent_fetchers: number;
  gate: { share: number | null; max_delay_seconds: number };
  families: FamilyPickup[];
}

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

function lifecycleKey(view: KeyView): LifecycleKey {
  const date = (s: string | null) => (s ? new Date(s) : null);
  return {
    kid: view.kid,
    alg: view.alg,
    state: view.state,
    publishedAt: new Date(view.published_at),
    activatedAt: date(view.activated_at),
    retiredAt: date(view.retired_at),
    expiresAt: date(view.expires_at),
  };
}

export function createJwksWatch(repo: JwksFetcherRepository, options: JwksWatchOptions) {
  const { gate, retention, policy, log } = options;
  const clock = options.now ?? (() => new Date());
  const tally = new FetchTally({ write: (rows) => repo.record(rows), digest: options.digest, log, now: () => clock().getTime() });
  const since = (at: Date) => new Date(at.getTime() - retention);

  async function pickupOf(kid: string, at: Date) {
    return repo.pickup(kid, since(at));
  }

  return {
    tally,

    /**
     * The gate: of the families whose scheduled rotation is due, those that may rotate now. Families
     * the rotation rules would refuse anyway are left to them (the gate holds only what would
     * happen). Records a hold once (whichever instance sees it first), and a release by the maximum
     * delay once. Cannot count (database trouble): lets the schedule go ahead, and says so.
     */
    async admit(due: { alg: string; keys: LifecycleKey[] }[], at: Date): Promise<string[]> {
      if (gate.share === undefined || due.length === 0) return due.map((d) => d.alg);
      const admitted: string[] = [];
      try {
        await tally.flush();
        for (const { alg, keys } of due) {
          const next = keys.find((k) => k.state === 'next');
          if (!next || !planRotation(keys, at, policy).ok) {
            admitted.push(alg);
            continue;
          }
          const pickup = await pickupOf(next.kid, at);
          const held = await repo.holdOf(next.kid);
          const decision = decideActivation(gate, pickup, at, held?.heldSince);
          const counts = { kid: next.kid, alg, fetchers: pickup.fetchers, received: pickup.received, required_share: gate.share };
          if (decision.kind === 'go') {
            admitted.push(alg);
            if (held && !held.releasedAt && decision.why === 'reached') log.info('activation gate: share reached, the next key activates', counts);
            continue;
          }
          if (decision.kind === 'released') {
            admitted.push(alg);
            if (await repo.releaseHold(next.kid, at)) {
              const until = new Date(decision.heldSince.getTime() + gate.maxDelay);
              const reason = `held since ${decision.heldSince.toISOString()} with ${percent(decision.share)} of ${pickup.fetchers} recent fetchers; released by KEY_ACTIVATION_GATE_MAX_DELAY`;
              log.warn('activation gate: maximum delay reached, the next key activates without the share', { ...counts, share: decision.share });
              await options.audit.record(SYSTEM, {
                action: 'key.activation_held',
                target: `key:${next.kid}`,
                details: { ...counts, reason, outcome: 'released', share: decision.share, until: until.toISOString() },
              });
            }
            continue;
          }
          if (!held && (await repo.startHold(next.kid, alg, at))) {
            const reason = `${pickup.received} of ${pickup.fetchers} recent fetchers (${percent(decision.share)}) have received the next key; KEY_ACTIVATION_GATE wants ${percent(gate.share)}`;
            log.warn('activation gate: scheduled activation held', { ...counts, share: decision.share, until: decision.until.toISOString() });
            await options.audit.record(SYSTEM, {
              action: 'key.activation_held',
              target: `key:${next.kid}`,
              details: { ...counts, reason, outcome: 'held', share: decision.share, until: decision.until.toISOString() },
            });
          }
        }
      } catch (error) {
        log.error('activation gate could not count the JWKS fetchers: the schedule goes ahead', { err: error });
        return due.map((d) => d.alg);
      }
      return admitted;
    },

    /** Per family: the next key, how many recent fetchers hold it, when it may activate, any hold. */
    async status(): Promise<PickupStatus> {
      await tally.flush();
      const at = clock();
      const keys = (await options.listKeys()).map(lifecycleKey);
      const algs = [...new Set(keys.filter((k) => k.state === 'next' || k.state === 'active').map((k) => k.alg))].sort();
      const nexts = keys.filter((k) => k.state === 'next');
      const holds = await repo.holds(nexts.map((k) => k.kid));
      const fetchersNow = await repo.countSince(since(at));
      const families = await Promise.all(
        algs.map(async (alg): Promise<FamilyPickup> => {
          const family = keys.filter((k) => k.alg === alg);
          const next = family.find((k) => k.state === 'next');
          if (!next) return { alg, next: null, fetchers: fetchersNow, received: 0, share: null, hold: null };
          const pickup = await pickupOf(next.kid, at);
          const held = holds.find((h) => h.kid === next.kid);
          return {
            alg,
            next: { kid: next.kid, published_at: next.publishedAt.toISOString(), eligible_at: iso(eligibleAt(family, policy)) },
            ...pickup,
            share: shareOf(pickup) ?? null,
            hold: held
              ? {
                  since: held.heldSince.toISOString(),
                  until: new Date(held.heldSince.getTime() + gate.maxDelay).toISOString(),
                  released_at: iso(held.releasedAt),
                }
              : null,
          };
        }),
      );
      return {
        window_seconds: Math.round(retention / 1000),
        recent_fetchers: fetchersNow,
        gate: { share: gate.share ?? null, max_delay_seconds: Math.round(gate.maxDelay / 1000) },
        families,
      };
    },

    /** Distinct fetchers seen within the window (the metric). */
    recentFetchers(): Promise<number> {
      return repo.countSince(since(clock()));
    },

    /** The sweep: fetchers not seen for the retention, holds long over. */
    async deleteExpired(now: Date): Promise<number> {
      const fetchers = await repo.deleteSeenBefore(since(now));
      const holds = await repo.deleteHoldsBefore(new Date(now.getTime() - retention - gate.maxDelay));
      return fetchers + holds;
    },
  };
}

export type JwksWatch = ReturnType<typeof createJwksWatch>;
