/**
 * Partial downloads: the temp file under <stateDir>/tmp and the index's record
 * of its verified chunks. At start-up, partials whose temp file is gone or has
 * the wrong size are forgotten (their verified chunks are not on disk) and temp
 * files no partial owns (left by a kill between steps) are deleted; a pull opens
 * or resumes one, and a placed version ends those of its path.
 */
import { mkdir, readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { fromSystemError } from '../errors.js';
import type { IndexEntry, PartialDownload, StoredChunk, SyncIndex } from '../model/entries.js';
import { tempDirOf } from './chunk-io.js';
import type { GrowingFiles } from './growing-files.js';

export interface PartialCleanup {
  /** Partials kept for resuming. */
  kept: number;
  /** Partials forgotten because their temp file was unusable. */
  dropped: number;
  /** Orphan temp files deleted. */
  removedFiles: number;
}

export async function cleanStalePartials(index: SyncIndex, stateDir: string): Promise<PartialCleanup> {
  const tempDir = tempDirOf(stateDir);
  const result: PartialCleanup = { kept: 0, dropped: 0, removedFiles: 0 };
  const owned = new Set<string>();
  for (const partial of index.partials()) {
    const size = await stat(path.join(tempDir, partial.tempName)).then((s) => s.size, () => -1);
    if (size === partial.size) {
      owned.add(partial.tempName);
      result.kept++;
    } else {
      index.dropPartial(partial.tempName);
      result.dropped++;
    }
  }
  const names = await readdir(tempDir).catch(() => [] as string[]);
  for (const name of names) {
    if (owned.has(name)) continue;
    await unlink(path.join(tempDir, name)).then(() => result.removedFiles++, () => undefined);
  }
  return result;
}

/**
 * The partial download of this version: resumed if its temp file is intact,
 * else the stream partial of its path when one was filled while the sender
 * hashed it (streaming sync; `trusted`: offsets of chunks this process wrote
 * and verified, which need not be read back), else a new one.
 */
export async function openPartial(
  index: SyncIndex,
  stateDir: string,
  remote: IndexEntry,
  chunks: StoredChunk[],
  growing?: GrowingFiles,
): Promise<{ partial: PartialDownload; tempPath: string; trusted: Set<number> }> {
  const tempDir = tempDirOf(stateDir);
  await mkdir(tempDir, { recursive: true }).catch((err) => {
    throw fromSystemError(err, `mkdir ${tempDir}`);
  });
  const existing = index.partial(remote.path, remote.digest);
  if (existing !== undefined) {
    const tempPath = path.join(tempDir, existing.tempName);
    const size = await stat(tempPath).then((s) => s.size, () => -1);
    if (size === existing.size && existing.size === remote.size) return { partial: existing, tempPath, trusted: new Set() };
    // Its temp file is gone or wrong: the recorded chunks are not on disk.
    index.dropPartial(existing.tempName);
    await unlink(tempPath).catch(() => undefined);
  }
  const adopted = await growing?.adopt(remote, chunks);
  if (adopted !== undefined) return adopted;
  const partial = index.startPartial(remote.path, remote.digest, remote.size);
  return { partial, tempPath: path.join(tempDir, partial.tempName), trusted: new Set() };
}

/** Partials of older versions of these paths are useless once a version is in place. */
export async function dropPartialsOf(index: SyncIndex, stateDir: string, paths: Set<string>): Promise<void> {
  // One transaction for a whole batch of placed files: each lookup alone is one, with its locking, per file.
  const stale = index.batch(() => [...paths].flatMap((p) => index.partialsOf(p)));
  for (const other of stale) {
    index.dropPartial(other.tempName);
    await unlink(path.join(tempDirOf(stateDir), other.tempName)).catch(() => undefined);
  }
}
