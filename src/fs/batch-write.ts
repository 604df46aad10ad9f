/**
 * Many small files made durable and placed together: the batch's temp files
 * are written (mode and mtime set), then fsync-ed all at once, then renamed
 * into the share in one go, then each folder that received files is fsync-ed
 * once. One fsync after another per file, each file's rename and folder fsync
 * inside the scan lock, cost ~1 ms per file on this disk while the CPU idled;
 * issued together they overlap in the kernel (the thread pool runs four at a
 * time). Each file is still atomic on its own: a kill at any point leaves every
 * path with its old content or its new one, never a partial file.
 */
import type { Stats } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, fromSystemError, type LeftsyncError } from '../errors.js';
import type { SeenFile } from '../model/file-stats.js';
import { checkRelativePath } from './paths.js';
import { diskSteps, makeDir, renameChecked, type ReplaceSteps } from './write.js';

export interface TempFileContent {
  /** Under the state folder, on the share's filesystem; created (must not exist). */
  tempPath: string;
  data: Uint8Array;
  mode: number;
  mtimeMs: number;
}

/**
 * Writes every temp file, then fsyncs them together. Returns per file null
 * (durable) or the error (its temp file removed; ENOSPC as DISK_FULL).
 */
export async function writeDurableTempFiles(files: TempFileContent[]): Promise<(LeftsyncError | null)[]> {
  const handles: (FileHandle | null)[] = files.map(() => null);
  const errors: (LeftsyncError | null)[] = files.map(() => null);
  const step = async (i: number, what: string, run: (handle: FileHandle) => Promise<unknown>): Promise<void> => {
    const handle = handles[i];
    if (handle === null || errors[i] !== null) return;
    try {
      await run(handle);
    } catch (err) {
      errors[i] = fromSystemError(err, `${what} ${files[i]!.tempPath}`);
    }
  };
  await Promise.all(
    files.map(async (file, i) => {
      try {
        handles[i] = await open(file.tempPath, 'wx', 0o600);
      } catch (err) {
        errors[i] = fromSystemError(err, `create ${file.tempPath}`);
        return;
      }
      await step(i, 'write', (h) => h.writeFile(file.data));
      await step(i, 'chmod', (h) => h.chmod(file.mode & 0o7777));
      const time = new Date(file.mtimeMs);
      await step(i, 'utimes', (h) => h.utimes(time, time));
    }),
  );
  // Every write is issued before the first fsync, so the disk sees them together.
  await Promise.all(files.map((_, i) => step(i, 'fsync', (h) => h.sync())));
  await Promise.all(handles.map((h) => h?.close().catch(() => undefined)));
  await Promise.all(files.map((file, i) => (errors[i] === null ? undefined : unlink(file.tempPath).catch(() => undefined))));
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
 * fsyncs each folder that received one, once. Returns per file the lstat of
 * what was placed (taken from the temp file, see atomicReplace) or the error:
 * LOCAL_CHANGED leaves the temp file for the caller, any other error before the
 * rename removes it. Synchronous metadata calls, as in atomicReplace (the
 * steps' rename too, awaited as a settled promise): the caller holds the scan
 * lock, and an event-loop turn per call would be paid per file.
 */
export async function placeTempFiles(root: string, items: Placement[], steps: ReplaceSteps = diskSteps): Promise<(Stats | LeftsyncError)[]> {
  const results: (Stats | LeftsyncError)[] = [];
  /** Folders checked (or created) in this batch, and those a file was renamed into. */
  const checkedDirs = new Map<string, LeftsyncError | null>();
  const touchedDirs = new Map<string, number[]>();
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
      const dir = path.dirname(target);
      const inDir = touchedDirs.get(dir);
      if (inDir) inDir.push(i);
      else touchedDirs.set(dir, [i]);
    } catch (err) {
      const error = fromSystemError(err, `replace ${item.relPath}`);
      if (!renamed && error.code !== ErrorCode.LOCAL_CHANGED) await unlink(item.tempPath).catch(() => undefined);
      results.push(error);
    }
  }
  await Promise.all(
    [...touchedDirs].map(async ([dir, placed]) => {
      try {
        await steps.fsyncDir(dir);
      } catch (err) {
        // The files are in place but their names may not survive a power cut: report them failed.
        const error = fromSystemError(err, `fsync ${dir}`);
        for (const i of placed) results[i] = error;
      }
    }),
  );
  return results;
}
