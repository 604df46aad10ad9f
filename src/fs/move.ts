/**
 * Files moved inside the share, for a rename a peer announced (a new name plus
 * the old name's tombstone): the old file becomes the new one with no copy, no
 * temp file and no deletion afterwards. link() then unlink() rather than
 * rename(): link refuses a target that exists (EEXIST), so whatever appeared at
 * the new name since it was checked is never overwritten, and a kill between
 * the two leaves both names holding the same bytes (the next scan and the
 * tombstone sort it out), never neither.
 */
import { linkSync, lstatSync, unlinkSync, type Stats } from 'node:fs';
import path from 'node:path';
import { ErrorCode, LeftsyncError, fromSystemError } from '../errors.js';
import type { SeenFile } from '../model/file-stats.js';
import { checkRelativePath } from './paths.js';
import { TouchedFolders } from './touched-folders.js';
import { checkExpected, diskSteps, makeDir, type ReplaceSteps } from './write.js';

export interface Move {
  from: string;
  to: string;
  /** What the scanner last saw at `from`: LOCAL_CHANGED when the file is not that any more. */
  expect: SeenFile;
}

/**
 * Moves each file (in order), then fsyncs every folder that gained or lost a
 * name, once. Per move the lstat of the file at its new name, or the error
 * (LOCAL_CHANGED: `from` is not as expected or `to` is taken; nothing moved).
 * Synchronous metadata calls, as in placeTempFiles: the caller holds the scan lock.
 */
export async function moveFiles(root: string, moves: Move[], steps: ReplaceSteps = diskSteps): Promise<(Stats | LeftsyncError)[]> {
  const results: (Stats | LeftsyncError)[] = [];
  const touched = new TouchedFolders();
  for (let i = 0; i < moves.length; i++) {
    const { from, to, expect } = moves[i]!;
    try {
      const fromAbs = path.join(root, ...checkRelativePath(from));
      const toAbs = path.join(root, ...checkRelativePath(to));
      // makeDir refuses a symlink anywhere in the chain; the old name's folders were checked when it was placed or scanned.
      const fromParent = path.posix.dirname(from);
      const toParent = path.posix.dirname(to);
      if (fromParent !== '.') await makeDir(root, fromParent);
      if (toParent !== '.') await makeDir(root, toParent);
      await checkExpected(from, fromAbs, expect);
      // Stat before the link, as atomicReplace stats its temp file: a write at the new name after it is a local edit.
      const moved = lstatSync(fromAbs);
      try {
        linkSync(fromAbs, toAbs);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new LeftsyncError(ErrorCode.LOCAL_CHANGED, `${to} appeared locally; not moving ${from} there`);
        throw err;
      }
      unlinkSync(fromAbs);
      results.push(moved);
      touched.add(path.dirname(toAbs), i);
      touched.add(path.dirname(fromAbs), i);
    } catch (err) {
      results.push(err instanceof LeftsyncError ? err : fromSystemError(err, `move ${from} to ${to}`));
    }
  }
  await touched.fsync(steps.fsyncDir, results);
  return results;
}
