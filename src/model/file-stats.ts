/**
 * "The file is as I last saw it": the one rule the scanner's shortcut, the
 * watcher's filter, the applier and the atomic replace use to tell an untouched
 * file from a local edit. Size, mtime in whole milliseconds and inode together;
 * any of them moving means someone wrote the file.
 */
import type { Stats } from 'node:fs';

/** What was last seen of a file at a path (an index entry is one). */
export interface SeenFile {
  size: number;
  mtimeMs: number;
  inode: number;
}

/** The mtime leftsync records for a stat: whole milliseconds (the wire carries int64 ms). */
export function observedMtimeMs(stats: Stats): number {
  return Math.round(stats.mtimeMs);
}

/** True when `stats` is a regular file with the size, mtime and inode of `seen`. */
export function matchesStats(seen: SeenFile, stats: Stats): boolean {
  return stats.isFile() && stats.size === seen.size && observedMtimeMs(stats) === seen.mtimeMs && stats.ino === seen.inode;
}
