/**
 * Replacing or removing a file only when it is still what the scanner last saw
 * (`expect`) cannot be one atomic step: there is always a moment between the
 * lstat that checks it and the rename or unlink. A process stalled there (a
 * loaded machine, a GC pause) lets a user's save land in between, into the
 * old inode, which the rename or unlink then takes away: the soak (seed
 * 20261201) lost an edit so. These steps keep a second name on the old inode
 * across the change and look at it again afterwards; if it was written, it is
 * put back at its path and the step says LOCAL_CHANGED, as if the check had
 * caught it. A write through a descriptor opened earlier that comes after
 * that second look is still not seen (no rename can see it).
 */
import { linkSync, lstatSync, renameSync, unlinkSync, type Stats } from 'node:fs';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ErrorCode, LeftsyncError } from '../errors.js';
import { matchesStats, type SeenFile } from '../model/file-stats.js';
import { lstatIfReadable } from './paths.js';

/** LOCAL_CHANGED unless `stats` (null: nothing there) is what `expect` says. */
export function assertExpected(relPath: string, stats: Stats | null, expect: SeenFile | null): void {
  const matches = expect === null ? stats === null : stats !== null && matchesStats(expect, stats);
  if (!matches) throw localChanged(relPath);
}

function localChanged(relPath: string): LeftsyncError {
  return new LeftsyncError(ErrorCode.LOCAL_CHANGED, `${relPath} changed locally; not replacing it`);
}


/** Nothing wrote the file between these two lstat calls (same inode; a write moves its mtime or size). */
function untouched(before: Stats, after: Stats | null): boolean {
  return after !== null && after.ino === before.ino && after.size === before.size && after.mtimeMs === before.mtimeMs;
}

/**
 * A second name for the file at `target` (expected to be `expect`), in
 * `besideDir` (same filesystem), with its lstat; null when the filesystem
 * refuses hard links (the check alone guards then, as before). LOCAL_CHANGED
 * when the file is no longer what `expect` says.
 */
function holdOld(relPath: string, target: string, besideDir: string, expect: SeenFile): { held: string; stats: Stats } | null {
  const held = path.join(besideDir, `displaced-${randomBytes(6).toString('hex')}.tmp`);
  try {
    linkSync(target, held);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw localChanged(relPath);
    return null; // EPERM (protected_hardlinks), EXDEV, ENOTSUP...: no second name to be had
  }
  const stats = lstatIfReadable(held);
  if (stats === null || !matchesStats(expect, stats)) {
    unlinkSync(held);
    throw localChanged(relPath); // written (or replaced) since the caller's check
  }
  return { held, stats };
}

/**
 * Old versions at least this large are unlinked on the thread pool, not
 * awaited: the unlink frees the file's blocks, about 0.12 s for 500 MiB on
 * ext4 (strace of the bench's edit row), which held the main thread, and the
 * pull's end, that long. A smaller one is unlinked at once.
 */
export const UNLINK_LATER_BYTES = 8 << 20;

/**
 * The second name of an old version nobody wrote to: the last link to it, so
 * its blocks are freed here. One left by a kill is removed with the other
 * orphans of the temp folder at the next start (cleanStalePartials).
 */
function dropHeld(held: string, size: number): void {
  if (size < UNLINK_LATER_BYTES) return unlinkSync(held);
  void unlink(held).catch(() => undefined);
}

/**
 * Renames `tempPath` over `target`, which the caller has found to be `expect`
 * (SeenFile) a moment ago. Returns the lstat of what was placed (the temp file's,
 * taken before the rename). If the old file was written meanwhile it is back at
 * `target`, the new one back at `tempPath` when it is intact (else gone), and
 * LOCAL_CHANGED is thrown.
 */
export async function renameOverSeen(
  relPath: string,
  target: string,
  tempPath: string,
  expect: SeenFile,
  rename: (from: string, to: string) => Promise<void>,
  fsyncDir: (dir: string) => Promise<void>,
): Promise<Stats> {
  const old = holdOld(relPath, target, path.dirname(tempPath), expect);
  const placed = lstatSync(tempPath);
  try {
    await rename(tempPath, target);
  } catch (err) {
    if (old !== null) unlinkSync(old.held);
    throw err;
  }
  if (old === null) return placed;
  if (untouched(old.stats, lstatIfReadable(old.held))) {
    dropHeld(old.held, old.stats.size);
    return placed;
  }
  // The user saved into the old file after the check: theirs goes back to its name.
  try {
    linkSync(target, tempPath);
    if (!untouched(placed, lstatIfReadable(tempPath))) unlinkSync(tempPath);
  } catch {
    // The new version is simply pulled again.
  }
  renameSync(old.held, target);
  await fsyncDir(path.dirname(target));
  throw localChanged(relPath);
}

/**
 * Removes the file at `target`, which the caller has found to be `expect` a
 * moment ago: moved aside first (the name is free at once, so a save by name
 * makes a new file), looked at, then unlinked. If it was written meanwhile it
 * goes back to its name (unless a new file took the name: then that one stays
 * and the written one is kept beside it as name.local-N.ext), and LOCAL_CHANGED is thrown.
 */
export function removeSeen(relPath: string, target: string, expect: SeenFile): void {
  const aside = path.join(path.dirname(target), `.${path.basename(target)}.leftsync-${randomBytes(4).toString('hex')}.tmp`);
  renameSync(target, aside);
  const stats = lstatIfReadable(aside);
  if (stats !== null && matchesStats(expect, stats)) {
    unlinkSync(aside);
    return;
  }
  try {
    linkSync(aside, target); // never over a file saved meanwhile under the name
    unlinkSync(aside);
  } catch {
    renameSync(aside, keptName(target));
  }
  throw localChanged(relPath);
}

/** Where a written file goes when its name was taken meanwhile: beside it, visible, a free name. */
function keptName(target: string): string {
  const ext = path.extname(target);
  const stem = target.slice(0, target.length - ext.length);
  for (let i = 1; ; i++) {
    const candidate = `${stem}.local-${i}${ext}`;
    if (lstatIfReadable(candidate) === null) return candidate;
  }
}
