/**
 * Placing a path creates the folders missing above it (makeDir). Those are the
 * remote's folders, so they are recorded with the remote's entries, as applying
 * each would, in the same scan-locked step. Left to the scanner, each became a
 * new local folder, with a counter of ours: concurrent with a deletion of it
 * that another peer made meanwhile, and a live folder beats a deletion, so the
 * folder came back everywhere (found by the 3-peer soak: a folder moved away on
 * one peer reappeared, empty, on all three).
 */
import { chmodSync, lstatSync, type Stats } from 'node:fs';
import path from 'node:path';
import { observedMtimeMs } from '../model/file-stats.js';
import { reconcile } from '../reconcile/reconcile.js';
import type { ApplierOptions } from './apply-types.js';

/** Records each folder above `relPath` that the index does not hold as a live folder and the remote's entry makes one. */
export function adoptCreatedFolders(options: Pick<ApplierOptions, 'index' | 'remotePeerId' | 'shareDir'>, relPath: string): void {
  const { index, remotePeerId, shareDir } = options;
  for (let folder = path.posix.dirname(relPath); folder !== '.'; folder = path.posix.dirname(folder)) {
    const local = index.get(folder);
    // A folder the index holds: so are those above it (a folder is recorded after its parent).
    if (local !== undefined && !local.deleted && local.type === 'dir') return;
    const remote = index.remoteEntry(remotePeerId, folder);
    // Only what applying the remote's entry would do; anything else is the scanner's to record.
    if (remote === undefined || reconcile(local, remote).action !== 'mkdir') continue;
    const absPath = path.join(shareDir, ...folder.split('/'));
    let stats: Stats;
    try {
      stats = lstatSync(absPath);
      if (!stats.isDirectory()) continue;
      // As the folder's own apply would (makeDir with its mode): the scanner compares the mode.
      if ((stats.mode & 0o777) !== (remote.mode & 0o777)) chmodSync(absPath, remote.mode & 0o7777);
    } catch {
      continue; // gone or not ours to change: the scanner records what is there
    }
    index.recordApplied({ ...remote, inode: stats.ino, mtimeMs: observedMtimeMs(stats) }, [], local?.version);
  }
}
