/**
 * Whether a path on disk is exactly what the index holds for it, judged the way
 * the scanner's shortcut judges a file unchanged (type, size, mtime in whole ms,
 * inode, permission bits). The watcher drops such paths before they reach the
 * scanner: they are mostly files the puller has just placed and recorded, and
 * scanning them would find nothing while holding the scan lock that every apply
 * of the next files waits for.
 */
import type { Stats } from 'node:fs';
import { observedMtimeMs } from '../fs/write.js';
import type { IndexEntry } from '../model/entries.js';

export function sameAsIndexed(entry: IndexEntry | undefined, stats: Stats): boolean {
  return (
    entry !== undefined &&
    !entry.deleted &&
    entry.type === 'file' &&
    stats.isFile() &&
    entry.size === stats.size &&
    entry.mtimeMs === observedMtimeMs(stats) &&
    entry.inode === stats.ino &&
    entry.mode === (stats.mode & 0o777)
  );
}
