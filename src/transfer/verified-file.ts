/**
 * What a pull produces, for a single file or a batch of small ones (small-files.ts):
 * the verified temp file and what it cost. The applier places it.
 */
import type { StoredChunk } from '../model/entries.js';
import type { PullProgress } from './progress.js';

export interface PullCounts {
  reused: number;
  resumed: number;
  fetched: number;
  bytesReceived: number;
  /** Chunk-tree nodes fetched to learn the chunk list, and their bytes. */
  treeNodes: number;
  treeBytes: number;
}

/** A temp file holding exactly the wanted version: every chunk verified, mode and mtime set, fsynced. */
export interface VerifiedFile {
  tempPath: string;
  /** Its partial download's name (see SyncIndex.startPartial). */
  tempName: string;
  chunks: StoredChunk[];
  counts: PullCounts;
  /** When the pull began (Date.now()), for the transfer.done line. */
  startedMs: number;
  /** The transfer's progress events: the applier ends them (synced, or not placed). */
  progress: PullProgress;
}
