// Hears of changes made anywhere (this instance, another one, the CLI) and acts on them here:
// cached clients and accounts are dropped, the key set is read again. On PostgreSQL a notification
// arrives at once; everywhere, the change counters are polled every second, which catches what a
// notification missed (a listener reconnecting, SQLite, a CLI in another process).
import type { ChangeFeed, ChangeTopic } from './db/change-feed.js';
import type { Logger } from './logger.js';
import { serialized } from './serialized.js';

export type ChangeHandlers = Record<ChangeTopic, () => void | Promise<void>>;

export interface ChangeWatcherDeps {
  feed: ChangeFeed;
  handlers: ChangeHandlers;
  /** How often the counters are read (1 s: a change reaches every instance within it). */
  pollIntervalMs: number;
  /** How long to wait before listening again after the listener's connection broke. */
  relistenDelayMs?: number;
  log: Logger;
}

export interface ChangeWatcher {
  /** Reads the counters now (tests; the timer does it every pollIntervalMs). */
  poll(): Promise<void>;
  stop(): Promise<void>;
}

export async function startChangeWatcher(deps: ChangeWatcherDeps): Promise<ChangeWatcher> {
  const { feed, handlers, log } = deps;
  let seen = await feed.versions();
  let stopped = false;

  async function handle(topic: ChangeTopic): Promise<void> {
    try {
      await handlers[topic]();
    } catch (error) {
      log.error('acting on a change failed', { topic, err: error });
    }
  }

  async function readCounters(): Promise<void> {
    let now;
    try {
      now = await feed.versions();
    } catch (error) {
      // Caches keep their TTL and the key sync its own fail-closed rules meanwhile.
      log.warn('change counters could not be read', { err: error });
      return;
    }
    const changed = [...now].filter(([topic, version]) => seen.get(topic) !== version).map(([topic]) => topic);
    seen = now;
    await Promise.all(changed.map(handle));
  }

  const polls = serialized(readCounters, () => stopped);
  const poll = polls.run;

  let unlisten: (() => Promise<void>) | undefined;
  let relistenTimer: NodeJS.Timeout | undefined;
  async function listen(): Promise<void> {
    try {
      // A notification is a nudge to read the counters now: the poll then acts on each change once,
      // whether the notification or the timer noticed it first.
      unlisten = await feed.listen(
        () => void poll(),
        (error) => {
          // The poll covers the gap; listen again on a new connection a little later.
          log.warn('change notifications interrupted; listening again', { err: error });
          const broken = unlisten;
          unlisten = undefined;
          void broken?.();
          scheduleRelisten();
        },
      );
    } catch (error) {
      log.warn('could not listen for change notifications; polling meanwhile', { err: error });
      scheduleRelisten();
    }
  }
  function scheduleRelisten(): void {
    if (stopped || relistenTimer) return;
    relistenTimer = setTimeout(() => {
      relistenTimer = undefined;
      if (!stopped) void listen();
    }, deps.relistenDelayMs ?? 5_000);
    relistenTimer.unref();
  }

  await listen();
  const timer = setInterval(() => void poll(), deps.pollIntervalMs);
  timer.unref();

  return {
    poll,
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (relistenTimer) clearTimeout(relistenTimer);
      await polls.settled();
      await unlisten?.();
    },
  };
}
