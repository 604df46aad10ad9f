/**
 * Whether a path on disk is exactly what the index holds for it, judged the way
 * the scanner's shortcut judges a file unchanged (matchesStats, plus the
 * permission bits; a folder by its mode). The watcher drops such paths before they reach the
 * scanner: they are mostly files the applier has just placed and recorded, and
 * scanning them would find nothing while holding the scan lock that every apply
 * of the next files waits for. A path gone from disk is "as indexed" when the
 * index holds no live entry for it or below it: mostly what the applier has
 * just deleted (a moved folder's 1,000 tombstones were 676 scans otherwise).
 */
import type { Stats } from 'node:fs';
import type { SeenEntry } from '../model/entries.js';
import { matchesStats } from '../model/file-stats.js';

export function sameAsIndexed(entry: SeenEntry | undefined, stats: Stats | null, liveBelow: () => boolean): boolean {
  if (stats === null) return (entry === undefined || entry.deleted) && !liveBelow();
  if (entry === undefined || entry.deleted || entry.mode !== (stats.mode & 0o777)) return false;
  // A folder's state is its existence and mode; what it holds is reported child
  // by child. Another inode is another folder (one moved over it): scanned whole,
  // so what the old one held and the new one lacks is found gone.
  if (entry.type === 'dir') return stats.isDirectory() && entry.inode === stats.ino;
  return entry.type === 'file' && matchesStats(entry, stats);
}
