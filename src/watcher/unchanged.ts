/**
 * Whether a path on disk is exactly what the index holds for it, judged the way
 * the scanner's shortcut judges a file unchanged (matchesStats, plus the
 * permission bits). The watcher drops such paths before they reach the
 * scanner: they are mostly files the applier has just placed and recorded, and
 * scanning them would find nothing while holding the scan lock that every apply
 * of the next files waits for.
 */
import type { Stats } from 'node:fs';
import type { IndexEntry } from '../model/entries.js';
import { matchesStats } from '../model/file-stats.js';

export function sameAsIndexed(entry: IndexEntry | undefined, stats: Stats): boolean {
  return (
    entry !== undefined &&
    !entry.deleted &&
    entry.type === 'file' &&
    matchesStats(entry, stats) &&
    entry.mode === (stats.mode & 0o777)
  );
}
