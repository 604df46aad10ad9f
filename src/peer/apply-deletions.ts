/**
 * Deletions applied as a batch: the tombstones of a moved or deleted folder
 * arrive by the thousand, and one at a time each paid a scan-lock turn, a
 * share check and an announce of its own (1,000 took 1.5 s, the larger part
 * of a folder rename). Here one scan-locked step removes and records them all,
 * each decided against the index inside that step exactly as Applier.apply
 * would decide it; a path whose decision is not a plain delete (a conflict, a
 * merge of two tombstones, a newer local version) is left to Applier.apply.
 */
import { ErrorCode, LeftsyncError, errnoOf } from '../errors.js';
import { removeEntry } from '../fs/write.js';
import type { IndexEntry } from '../model/entries.js';
import { reconcile } from '../reconcile/reconcile.js';
import type { ApplierOptions, ApplyOutcome } from './apply-types.js';
import { isPausing } from './pause.js';

export type DeletionOutcome = ApplyOutcome | 'failed' | 'paused';

/**
 * One outcome per remote (each a tombstone). `alone` applies one path the
 * usual way; `rescan` is called once, after the step, for paths changed locally.
 */
export async function applyDeletions(
  options: ApplierOptions,
  remotes: IndexEntry[],
  alone: (remote: IndexEntry) => Promise<ApplyOutcome>,
): Promise<DeletionOutcome[]> {
  const { index, shareDir, log, events } = options;
  const outcomes: DeletionOutcome[] = remotes.map(() => 'failed');
  const others: number[] = [];
  const changed: number[] = [];
  const failed = (i: number, err: unknown): void => {
    if (isPausing(err)) outcomes[i] = 'paused';
    else log.warn('sync.apply_failed', { path: remotes[i]!.path, err });
  };
  try {
    await options.scanLock.exclusive(async () => {
      await options.share.check();
      for (let i = 0; i < remotes.length; i++) {
        const remote = remotes[i]!;
        const local = index.get(remote.path);
        if (reconcile(local, remote).action !== 'delete') {
          others.push(i);
          continue;
        }
        const live = local !== undefined && !local.deleted ? local : undefined;
        try {
          // What the scanner last saw of a file: removing it never takes a newer local edit.
          if (live !== undefined) await removeEntry(shareDir, remote.path, live.type === 'file' ? live : undefined);
        } catch (err) {
          const code = errnoOf(err);
          if (err instanceof LeftsyncError && err.code === ErrorCode.LOCAL_CHANGED) changed.push(i);
          else if (code === 'ENOENT') changed.push(i);
          else if (code === 'ENOTEMPTY' || code === 'EEXIST') outcomes[i] = 'blocked'; // its children go first
          else failed(i, err);
          continue;
        }
        // Recorded right after the removal, as Applier.apply does: the index never lags the share by more than one path.
        index.recordApplied({ ...remote, inode: 0 }, [], local?.version ?? {});
        events.applied(remote, live);
        if (live !== undefined) log.info('sync.deleted', { path: remote.path, type: live.type, from: remote.modifiedBy });
        outcomes[i] = 'applied';
      }
    });
  } catch (err) {
    // The share went missing or the index failed: nothing after the failure was applied.
    remotes.forEach((_, i) => {
      if (outcomes[i] === 'failed' && !others.includes(i) && !changed.includes(i)) failed(i, err);
    });
  }
  if (changed.length > 0) {
    log.info('sync.local_changed', { path: remotes[changed[0]!]!.path, paths: changed.length });
    await options.rescan(changed.map((i) => remotes[i]!.path));
    for (const i of changed) outcomes[i] = 'rescanned';
  }
  for (const i of others) {
    outcomes[i] = await alone(remotes[i]!).catch((err: unknown) => {
      failed(i, err);
      return outcomes[i]!;
    });
  }
  return outcomes;
}
