// One run at a time of work that reads shared state and acts on it (the key sync's tick, the change
// watcher's poll). A call while a run is in progress gets one more run after it, since the run in
// progress may have read the state before the caller's change; any number of such calls share it.

export interface Serialized {
  /** Runs now, or once more after the run in progress. */
  run(): Promise<void>;
  /** Waits for the run in progress and the one queued behind it. */
  settled(): Promise<void>;
}

/** `run` must not reject (handle its errors inside); `stopped` ends the queue. */
export function serialized(run: () => Promise<void>, stopped: () => boolean): Serialized {
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;

  function next(): Promise<void> {
    if (running) {
      queued ??= running.then(() => {
        queued = undefined;
        return stopped() ? undefined : next();
      });
      return queued;
    }
    running = run().finally(() => (running = undefined));
    return running;
  }

  return {
    run: next,
    async settled() {
      await queued;
      await running;
    },
  };
}
