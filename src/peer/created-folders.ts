/**
 * Placing a path creates the folders missing above it (makeDir). Those are the
 * remote's folders, so they are recorded with the remote's entries, as applying
 * each would, in the same scan-locked step. Left to the scanner, each became a
 * new local folder, with a counter of ours: concurrent with a deletion of it
 * that another peer made meanwhile, and a live folder beats a deletion, so the
 * folder came back everywhere (found by the 3-peer soak: a folder moved away on
 * one peer reappeared, empty, on all three). Every placement records through
 * recordPlaced (pulls, links, folders, and files moved for a peer's rename).
 */
import { lstatSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { IndexEntry, StoredChunk, VersionVector } from '../model/entries.js';
import { observedMtimeMs } from '../model/file-stats.js';
import { reconcile } from '../reconcile/reconcile.js';
import type { ApplierOptions } from './apply-types.js';

type PlacingOptions = Pick<ApplierOptions, 'index' | 'remotePeerId' | 'shareDir'>;

/** Records `remote` as applied, with the inode and mtime of what was placed (so the scanner sees it as unchanged), and the folders made for it. */
export function recordPlaced(options: PlacingOptions, remote: IndexEntry, placed: Stats, chunks: StoredChunk[], decidedOn: VersionVector): void {
  adoptCreatedFolders(options, remote.path);
  options.index.recordApplied({ ...remote, inode: placed.ino, mtimeMs: observedMtimeMs(placed) }, chunks, decidedOn);
}

/** Records each folder above `relPath` that the index does not hold as a live folder and the remote's entry makes one. */
function adoptCreatedFolders(options: PlacingOptions, relPath: string): void {
  const { index, remotePeerId, shareDir } = options;
  for (let folder = path.posix.dirname(relPath); folder !== '.'; folder = path.posix.dirname(folder)) {
    // A folder the index holds: those above it are held too, as a rule (the scan and the
    // applier record a folder after its parent); one that is not is still the scanner's.
    // Asked with seenOf, without versions: nearly always the answer, once per placed file.
    const seen = index.seenOf(folder);
    if (seen !== undefined && !seen.deleted && seen.type === 'dir') return;
    const local = seen === undefined ? undefined : index.get(folder);
    const remote = index.remoteEntry(remotePeerId, folder);
    // Only what applying the remote's entry would do; anything else is the scanner's to record.
    if (remote === undefined || reconcile(local, remote).action !== 'mkdir') continue;
    let stats: Stats;
    try {
      stats = lstatSync(path.join(shareDir, ...folder.split('/')));
    } catch {
      continue; // gone again: the scanner records what is there
    }
    // A folder of another mode is not the remote's as it is (the scanner compares the mode):
    // left to the scanner, as before, rather than changed here outside the folder's own apply.
    if (!stats.isDirectory() || (stats.mode & 0o777) !== (remote.mode & 0o777)) continue;
    index.recordApplied({ ...remote, inode: stats.ino, mtimeMs: observedMtimeMs(stats) }, [], local?.version);
  }
}
