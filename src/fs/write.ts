/**
 * Every change leftsync makes inside the share: atomic file replacement,
 * directories, symlinks, removals and conflict renames. Each operation resolves
 * its path with resolveSharePath, so none of them follows a link out of the share.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsync, lstatSync, openSync, renameSync, type Stats } from 'node:fs';
import { lstat, lutimes, mkdir, open, readlink, rename, rmdir, symlink, unlink, chmod, utimes } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ErrorCode, LeftsyncError, fromSystemError } from '../errors.js';
import type { SeenFile } from '../model/file-stats.js';
import { assertExpected, removeSeen, renameOverSeen } from './displaced.js';
import { checkRelativePath, lstatOrNull, resolveSharePath } from './paths.js';


export interface ReplaceOptions {
  /** Modification time to give the new file, ms since the epoch. */
  mtimeMs?: number;
  /** Permission bits to give the new file. */
  mode?: number;
  /**
   * Guard against overwriting a local edit: undefined = no check, null = the target
   * must not exist, an object = the target must still have this size, mtime and inode.
   * On mismatch LOCAL_CHANGED is thrown and the temp file is left for the caller.
   */
  expect?: SeenFile | null;
  /**
   * True when finishTempFile already ran on the temp file (mode, mtime set, data
   * fsync-ed): only the check, rename and folder fsync remain, the short part a
   * caller keeps inside a lock. mode and mtimeMs are then ignored here.
   */
  tempFinished?: boolean;
}

/** The disk steps of an atomic replace, replaceable so tests can inject faults (ENOSPC). */
export interface ReplaceSteps {
  /** Applies mode/mtime to the finished temp file and flushes it to disk. */
  finishTemp(tempPath: string, options: ReplaceOptions): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  fsyncDir(dirPath: string): Promise<void>;
}

const fsyncFd = promisify(fsync);

/**
 * rename, fsyncDir and the lstat calls of atomicReplace run inside the caller's
 * scan-paused step, which admits one apply at a time: every await of an async fs
 * call there waits for a turn of a busy event loop (~1 ms each while hundreds of
 * small files arrive), and that wait is paid serially by every file. So the
 * metadata calls (lstat, rename, open and close of the folder: microseconds)
 * are made synchronously; only fsync, which waits for the disk, stays async.
 */
export const diskSteps: ReplaceSteps = {
  async finishTemp(tempPath, options) {
    const handle = await open(tempPath, 'r+');
    try {
      if (options.mode !== undefined) await handle.chmod(options.mode & 0o7777);
      if (options.mtimeMs !== undefined) {
        const time = new Date(options.mtimeMs);
        await handle.utimes(time, time);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  async rename(from, to) {
    renameSync(from, to);
  },
  async fsyncDir(dirPath) {
    const fd = openSync(dirPath, 'r');
    try {
      await fsyncFd(fd);
    } finally {
      closeSync(fd);
    }
  },
};

/**
 * The first half of an atomic replace, to run before taking any lock: gives the
 * finished temp file its mode and mtime and makes its data durable (fsync), so
 * the later atomicReplace(..., { tempFinished: true }) is only check + rename +
 * fsync(folder). On failure the temp file is removed; ENOSPC surfaces as DISK_FULL.
 */
export async function finishTempFile(
  tempPath: string,
  options: Pick<ReplaceOptions, 'mode' | 'mtimeMs'>,
  steps: ReplaceSteps = diskSteps,
): Promise<void> {
  try {
    await steps.finishTemp(tempPath, options);
  } catch (err) {
    await unlink(tempPath).catch(() => undefined);
    throw fromSystemError(err, `finish ${tempPath}`);
  }
}

/** Synchronous (see diskSteps): a metadata call, and it runs inside the scan-paused step. */
async function lstatChecked(absPath: string): Promise<Stats | null> {
  try {
    return lstatOrNull(absPath);
  } catch (err) {
    throw fromSystemError(err, `lstat ${absPath}`);
  }
}

/** LOCAL_CHANGED unless `absPath` is what `expect` says (undefined: no check). */
export async function checkExpected(relPath: string, absPath: string, expect: SeenFile | null | undefined): Promise<void> {
  if (expect === undefined) return;
  assertExpected(relPath, await lstatChecked(absPath), expect);
}

/**
 * The check against `expect` and the rename of a finished temp file to `target`.
 * Returns the temp file's lstat, not the target's after the rename: rename keeps
 * inode, size, mtime and mode, and a user's write into the target during the
 * folder fsync must not be recorded as the version we placed. Over a file, a
 * save into it that lands after the check is not lost (renameOverSeen).
 */
export async function renameChecked(relPath: string, target: string, tempPath: string, expect: SeenFile | null | undefined, steps: ReplaceSteps): Promise<Stats> {
  await checkExpected(relPath, target, expect);
  if (expect !== undefined && expect !== null) return renameOverSeen(relPath, target, tempPath, expect, steps.rename, steps.fsyncDir);
  const placed = lstatSync(tempPath);
  await steps.rename(tempPath, target);
  return placed;
}

/**
 * Moves a finished temp file (under the state folder, on the same filesystem) to
 * `relPath` in the share: fsync(file) + rename + fsync(dir) (the fsync(file) done
 * beforehand by finishTempFile when options.tempFinished). Readers see the old
 * content or the new one, never a mix. Mode and mtime are set on the temp file
 * just before its fsync rather than after the rename, because rename keeps them
 * and this way no scanner ever sees the new file with a wrong mtime.
 * On any failure before the rename the temp file is removed and the target is
 * untouched; ENOSPC surfaces as DISK_FULL. Returns the lstat of the placed file.
 */
export async function atomicReplace(
  root: string,
  relPath: string,
  tempPath: string,
  options: ReplaceOptions = {},
  steps: ReplaceSteps = diskSteps,
): Promise<Stats> {
  let renamed = false;
  try {
    const target = await resolveSharePath(root, relPath);
    const parentRel = path.posix.dirname(relPath);
    if (parentRel !== '.') await makeDir(root, parentRel);
    if (options.tempFinished !== true) await steps.finishTemp(tempPath, options);
    const placed = await renameChecked(relPath, target, tempPath, options.expect, steps);
    renamed = true;
    await steps.fsyncDir(path.dirname(target));
    return placed;
  } catch (err) {
    const localChange = err instanceof LeftsyncError && err.code === ErrorCode.LOCAL_CHANGED;
    if (!renamed && !localChange) await unlink(tempPath).catch(() => undefined);
    throw fromSystemError(err, `replace ${relPath}`);
  }
}

/** Creates `relPath` and any missing parents, one checked component at a time. */
export async function makeDir(root: string, relPath: string, mode?: number): Promise<void> {
  const segments = checkRelativePath(relPath);
  let current = root;
  for (let i = 0; i < segments.length; i++) {
    current = path.join(current, segments[i]!);
    const shown = segments.slice(0, i + 1).join('/');
    const stats = await lstatChecked(current);
    if (stats === null) {
      try {
        await mkdir(current);
      } catch (err) {
        // Someone else created it between lstat and mkdir: check it like any existing one.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw fromSystemError(err, `mkdir ${shown}`);
      }
      continue;
    }
    if (stats.isSymbolicLink()) throw new LeftsyncError(ErrorCode.UNSAFE_PATH, `unsafe path ${JSON.stringify(relPath)}: '${shown}' is a symlink`);
    if (!stats.isDirectory()) throw new LeftsyncError(ErrorCode.IO, `mkdir ${relPath}: '${shown}' exists and is not a directory`);
  }
  if (mode !== undefined) await chmod(current, mode & 0o7777).catch((err) => { throw fromSystemError(err, `chmod ${relPath}`); });
}

/**
 * Removes a file, a symlink (the link, never its target) or an empty directory.
 * Returns false when nothing was there. A non-empty directory is an IO error.
 */
export async function removeEntry(root: string, relPath: string, expect?: SeenFile): Promise<boolean> {
  const target = await resolveSharePath(root, relPath);
  const stats = await lstatChecked(target);
  if (stats === null) return false;
  try {
    if (expect !== undefined) {
      // Checked, then moved aside and checked again: a save landing after the first check is kept.
      assertExpected(relPath, stats, expect);
      removeSeen(relPath, target, expect);
    } else if (stats.isDirectory()) await rmdir(target);
    else await unlink(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw fromSystemError(err, `remove ${relPath}`);
  }
  return true;
}

/**
 * Creates (or atomically replaces) a symlink at `relPath` pointing to `target`,
 * stored as-is: leftsync never follows it. Returns the lstat of the link.
 */
export async function createSymlink(root: string, relPath: string, target: string, mtimeMs?: number): Promise<Stats> {
  const absPath = await resolveSharePath(root, relPath);
  if (target.includes('\0')) throw new LeftsyncError(ErrorCode.UNSAFE_PATH, `symlink ${relPath}: target has a NUL byte`);
  const parentRel = path.posix.dirname(relPath);
  if (parentRel !== '.') await makeDir(root, parentRel);
  const existing = await lstatChecked(absPath);
  const same = existing?.isSymbolicLink() && (await readlink(absPath).catch(() => null)) === target;
  if (!same) {
    // Build the link beside its final place, then rename over: never a moment without a link.
    const tempLink = path.join(path.dirname(absPath), `.${path.basename(absPath)}.leftsync-${randomBytes(4).toString('hex')}`);
    try {
      await symlink(target, tempLink);
      await rename(tempLink, absPath);
    } catch (err) {
      await unlink(tempLink).catch(() => undefined);
      throw fromSystemError(err, `symlink ${relPath}`);
    }
  }
  if (mtimeMs !== undefined) {
    const time = new Date(mtimeMs);
    await lutimes(absPath, time, time).catch((err) => { throw fromSystemError(err, `lutimes ${relPath}`); });
  }
  return lstat(absPath);
}

/** Sets mode and/or mtime of an existing entry (a symlink only gets its own mtime). */
export async function setAttributes(root: string, relPath: string, attrs: { mode?: number; mtimeMs?: number }): Promise<Stats> {
  const absPath = await resolveSharePath(root, relPath);
  try {
    const stats = await lstat(absPath);
    const time = attrs.mtimeMs === undefined ? undefined : new Date(attrs.mtimeMs);
    if (stats.isSymbolicLink()) {
      if (time) await lutimes(absPath, time, time);
    } else {
      if (attrs.mode !== undefined) await chmod(absPath, attrs.mode & 0o7777);
      if (time) await utimes(absPath, time, time);
    }
    return await lstat(absPath);
  } catch (err) {
    throw fromSystemError(err, `set attributes of ${relPath}`);
  }
}

/**
 * Renames `relPath` to `conflictPath` (the name comes from src/reconcile's
 * conflictName), never over an existing entry: if the name is taken, `-1`, `-2`...
 * is added before the extension. Returns the path actually used.
 */
export async function renameToConflict(root: string, relPath: string, conflictPath: string): Promise<string> {
  const source = await resolveSharePath(root, relPath);
  const dot = conflictPath.lastIndexOf('.');
  const slash = conflictPath.lastIndexOf('/');
  const splitAt = dot > slash + 1 && conflictPath.lastIndexOf('.sync-conflict-') < dot ? dot : conflictPath.length;
  for (let attempt = 0; attempt < 100; attempt++) {
    const candidate = attempt === 0 ? conflictPath : `${conflictPath.slice(0, splitAt)}-${attempt}${conflictPath.slice(splitAt)}`;
    const target = await resolveSharePath(root, candidate);
    if ((await lstatChecked(target)) !== null) continue;
    try {
      await rename(source, target);
    } catch (err) {
      throw fromSystemError(err, `rename ${relPath} to ${candidate}`);
    }
    return candidate;
  }
  throw new LeftsyncError(ErrorCode.IO, `rename ${relPath}: no free conflict name`);
}

/**
 * Writes `data` to a temp file in `tempDir` and moves it into place atomically
 * (small files, conflict copies, tests).
 */
export async function writeFileAtomic(
  root: string,
  relPath: string,
  data: Uint8Array,
  tempDir: string,
  options: ReplaceOptions = {},
): Promise<Stats> {
  checkRelativePath(relPath);
  const tempPath = path.join(tempDir, `write-${randomBytes(8).toString('hex')}.tmp`);
  try {
    await mkdir(tempDir, { recursive: true });
    const handle = await open(tempPath, 'wx');
    try {
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
  } catch (err) {
    await unlink(tempPath).catch(() => undefined);
    throw fromSystemError(err, `write temp file for ${relPath}`);
  }
  return atomicReplace(root, relPath, tempPath, options);
}
