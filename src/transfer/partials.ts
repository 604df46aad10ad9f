/**
 * Start-up housekeeping of partial downloads: forget partials whose temp file is
 * gone or has the wrong size (their verified chunks are not on disk), and delete
 * temp files no partial owns (left by a kill between steps). Run before any
 * session starts, when no transfer is in progress.
 */
import { readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { SyncIndex } from '../model/entries.js';
import { tempDirOf } from './chunk-io.js';

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
