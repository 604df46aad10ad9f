/**
 * Many small files made durable and placed together: the batch's temp files
 * are written (mode and mtime set), made durable together, renamed into the
 * share in one go, and the renames made durable together. "Together" is one
 * syncfs of the filesystem (see syncfs.ts) for a batch of SYNCFS_MIN_FILES or
 * more, else (and where syncfs is unavailable) fsync per file issued all at
 * once and one fsync per folder that received files. Each file is still atomic
 * on its own: a kill at any point leaves every path with its old content or its
 * new one, never a partial file; no file is reported durable or placed before
 * the sync that covers it returned.
 *
 * The temp files are written with synchronous calls: open, write, fchmod and
 * futimes of 4 KiB each take microseconds of CPU, and as thread-pool jobs they
 * cost a wakeup per call and four threads contending for the temp folder's
 * lock. A turn of the event loop writes for at most WRITE_TURN_MS.
 */
import { closeSync, constants, fchmodSync, fsync, futimesSync, openSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ErrorCode, fromSystemError, type LeftsyncError } from '../errors.js';
import type { SeenFile } from '../model/file-stats.js';
import { checkRelativePath } from './paths.js';
import { SYNCFS_MIN_FILES, systemSyncfs, type Syncfs } from './syncfs.js';
import { TouchedFolders } from './touched-folders.js';
import { diskSteps, makeDir, renameChecked, type ReplaceSteps } from './write.js';

export interface TempFileContent {
  /** Under the state folder, on the share's filesystem; created (must not exist). */
  tempPath: string;
  data: Uint8Array;
  mode: number;
  mtimeMs: number;
}

/** Synchronous writing yields to the event loop after this long (the socket and timers wait meanwhile). */
const WRITE_TURN_MS = 8;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
const fsyncFd = promisify(fsync);
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Gives the new temp file its bytes, mode and mtime. */
function fillTemp(fd: number, file: TempFileContent): void {
  for (let done = 0; done < file.data.length; ) done += writeSync(fd, file.data, done, file.data.length - done);
  fchmodSync(fd, file.mode & 0o7777);
  // A Date, not seconds: Node takes a negative number of seconds (a pre-1970 mtime) for "now".
  const time = new Date(file.mtimeMs);
  futimesSync(fd, time, time);
}

/**
 * Writes every temp file, then makes them durable together. Returns per file
 * null (durable) or the error (its temp file removed; ENOSPC as DISK_FULL). A
 * failed syncfs fails every file of the batch: none of them is known durable.
 */
export async function writeDurableTempFiles(files: TempFileContent[], syncfs: Syncfs = systemSyncfs): Promise<(LeftsyncError | null)[]> {
  /** The open descriptor of each file written whole; -1 when it failed. */
  const fds: number[] = new Array(files.length).fill(-1);
  /** Ours to remove on failure (a name taken before O_EXCL is not ours). */
  const created: boolean[] = new Array(files.length).fill(false);
  const errors: (LeftsyncError | null)[] = new Array(files.length).fill(null);
  let turnStart = performance.now();
  for (let i = 0; i < files.length; i++) {
    if (performance.now() - turnStart >= WRITE_TURN_MS) {
      await nextTurn();
      turnStart = performance.now();
    }
    const file = files[i]!;
    let fd = -1;
    try {
      fd = openSync(file.tempPath, CREATE_FLAGS, 0o600);
      created[i] = true;
      fillTemp(fd, file);
      fds[i] = fd;
    } catch (err) {
      if (fd >= 0) closeSync(fd);
      errors[i] = fromSystemError(err, `write ${file.tempPath}`);
    }
  }
  const written = fds.filter((fd) => fd >= 0).length;
  let synced = false;
  if (written >= SYNCFS_MIN_FILES) {
    try {
      synced = (await syncfs.sync(path.dirname(files[0]!.tempPath))) === 'synced';
    } catch (err) {
      const error = fromSystemError(err, `syncfs ${path.dirname(files[0]!.tempPath)}`);
      fds.forEach((fd, i) => {
        if (fd >= 0) errors[i] = error;
      });
      synced = true; // nothing left to fsync: every written file failed
    }
  }
  if (!synced) {
    // Every write is issued before the first fsync, so the disk sees them together.
    await Promise.all(
      fds.map(async (fd, i) => {
        if (fd < 0) return;
        try {
          await fsyncFd(fd);
        } catch (err) {
          errors[i] = fromSystemError(err, `fsync ${files[i]!.tempPath}`);
        }
      }),
    );
  }
  fds.forEach((fd, i) => {
    try {
      if (fd >= 0) closeSync(fd);
    } catch {
      // Its data is durable (or the file failed) already; the descriptor is released either way.
    }
    if (errors[i] !== null && created[i]) {
      try {
        unlinkSync(files[i]!.tempPath);
      } catch {
        // Gone already: nothing to remove.
      }
    }
  });
  return errors;
}

export interface Placement {
  relPath: string;
  /** A durable temp file (writeDurableTempFiles or finishTempFile). */
  tempPath: string;
  /** What must be at relPath now (see ReplaceOptions.expect): null = nothing. */
  expect: SeenFile | null;
}

/**
 * Renames every temp file to its place (the check against `expect` first), then
 * makes the renames durable: one syncfs for SYNCFS_MIN_FILES or more, else one
 * fsync per folder that received a file. Returns per file the lstat of
 * what was placed (taken from the temp file, see atomicReplace) or the error:
 * LOCAL_CHANGED leaves the temp file for the caller, any other error before the
 * rename removes it. Synchronous metadata calls, as in atomicReplace (the
 * steps' rename too, awaited as a settled promise): the caller holds the scan
 * lock, and an event-loop turn per call would be paid per file.
 */
export async function placeTempFiles(
  root: string,
  items: Placement[],
  steps: ReplaceSteps = diskSteps,
  syncfs: Syncfs = systemSyncfs,
): Promise<(Stats | LeftsyncError)[]> {
  const results: (Stats | LeftsyncError)[] = [];
  /** Folders checked (or created) in this batch, and those a file was renamed into. */
  const checkedDirs = new Map<string, LeftsyncError | null>();
  const touchedDirs = new TouchedFolders();
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    let renamed = false;
    try {
      const segments = checkRelativePath(item.relPath);
      const parentRel = path.posix.dirname(item.relPath);
      if (parentRel !== '.') {
        if (!checkedDirs.has(parentRel)) {
          // makeDir refuses a symlink anywhere in the chain, so the target below needs no further check.
          checkedDirs.set(parentRel, await makeDir(root, parentRel).then(() => null, (err: unknown) => fromSystemError(err, `mkdir ${parentRel}`)));
        }
        const failed = checkedDirs.get(parentRel);
        if (failed) throw failed;
      }
      const target = path.join(root, ...segments);
      const placed = await renameChecked(item.relPath, target, item.tempPath, item.expect, steps);
      renamed = true;
      results.push(placed);
      touchedDirs.add(path.dirname(target), i);
    } catch (err) {
      const error = fromSystemError(err, `replace ${item.relPath}`);
      if (!renamed && error.code !== ErrorCode.LOCAL_CHANGED) await unlink(item.tempPath).catch(() => undefined);
      results.push(error);
    }
  }
  const placed = touchedDirs.items();
  if (placed.length >= SYNCFS_MIN_FILES) {
    // A rename succeeds only within one filesystem: the temp folder's is the one to sync.
    const dir = path.dirname(items[placed[0]!]!.tempPath);
    try {
      if ((await syncfs.sync(dir)) === 'synced') return results;
    } catch (err) {
      // The files are in place but their names may not survive a power cut: report them failed.
      const error = fromSystemError(err, `syncfs ${dir}`);
      for (const i of placed) results[i] = error;
      return results;
    }
  }
  await touchedDirs.fsync(steps.fsyncDir, results);
  return results;
}
