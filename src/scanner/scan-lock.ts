/**
 * The scan lock: scans and apply steps (change the share, then record it in the
 * index) run one at a time, so a scan never sees a file the applier has placed
 * before the index knows it and mistakes it for a local edit. The node creates
 * one and hands it to its scanner and to every session's applier.
 */
export interface ScanLock {
  /** Runs `job` once every earlier job has finished (whether it failed or not). */
  exclusive<T>(job: () => Promise<T>): Promise<T>;
}

export function createScanLock(): ScanLock {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    exclusive<T>(job: () => Promise<T>): Promise<T> {
      const run = queue.then(job, job);
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
