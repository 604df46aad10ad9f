/**
 * Moved files, told by their inode: within one batch of watcher paths, a file
 * whose old path was found gone and whose inode, size and mtime turn up at a
 * new path is the same file (a rename keeps all three), so its digest and
 * chunk list are taken from the old entry instead of reading and hashing it
 * again. It is the scanner's stat shortcut ("the file is as I last saw it",
 * src/model/file-stats.ts) followed across a rename: a folder of 1,000 files
 * renamed cost 1,000 hashes before. The scanner records the old name's
 * tombstone right after the new name, so the pair travels together.
 *
 * Only the old paths this batch found gone are candidates: an inode at a path
 * that still exists (a hard link) or one a later event may bring back is
 * never matched, and a miss only costs the hash it always cost.
 */
import type { Stats } from 'node:fs';
import type { IndexEntry } from '../model/entries.js';
import { matchesStats } from '../model/file-stats.js';

/**
 * The batch's paths (sorted) reordered so that those the index holds live but
 * that are gone from disk come first: their entries are then known as moved
 * away before the walk of a new name that sorts earlier ('photos' renamed to
 * 'archive'). Only indexed paths are looked up; the rest keep their order.
 */
export async function goneFirst(paths: string[], isLive: (relPath: string) => boolean, exists: (relPath: string) => Promise<boolean>): Promise<string[]> {
  const gone: string[] = [];
  const rest: string[] = [];
  for (const relPath of paths) {
    if (isLive(relPath) && !(await exists(relPath).catch(() => true))) gone.push(relPath);
    else rest.push(relPath);
  }
  return gone.length === 0 ? paths : [...gone, ...rest];
}

export class MovedFiles {
  /** Inode -> the live file entries found gone in this batch. */
  private readonly byInode = new Map<number, IndexEntry[]>();
  /** Old paths matched by take(): their tombstones are recorded with the new name. */
  private readonly matched = new Set<string>();

  /** Notes the entries among `candidates` whose paths are in `gone` (live files only). */
  note(candidates: readonly IndexEntry[], gone: readonly string[]): void {
    if (gone.length === 0) return;
    const goneSet = new Set(gone);
    for (const entry of candidates) {
      if (entry.deleted || entry.type !== 'file' || entry.inode === 0 || !goneSet.has(entry.path)) continue;
      const list = this.byInode.get(entry.inode);
      if (list) list.push(entry);
      else this.byInode.set(entry.inode, [entry]);
    }
  }

  /** A file found gone, by its index entry (undefined: not indexed, nothing to note). */
  noteGone(entry: IndexEntry | undefined): void {
    if (entry !== undefined) this.note([entry], [entry.path]);
  }

  /**
   * The gone entry this file was moved from (same inode, size and mtime), taken
   * so no second path claims it; undefined when there is none.
   */
  take(stats: Stats): IndexEntry | undefined {
    const list = this.byInode.get(stats.ino);
    if (list === undefined) return undefined;
    const i = list.findIndex((entry) => matchesStats(entry, stats));
    if (i < 0) return undefined;
    const [entry] = list.splice(i, 1);
    if (list.length === 0) this.byInode.delete(stats.ino);
    this.matched.add(entry!.path);
    return entry;
  }

  /** True for an old path take() matched. */
  taken(relPath: string): boolean {
    return this.matched.has(relPath);
  }
}
