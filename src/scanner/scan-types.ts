/**
 * What the scanner is given and what it answers: its options, the result of one
 * scan, and the scanner's interface (src/scanner/scanner.ts implements it).
 */
import type { ChunksHashed } from '../chunker/hash-pool.js';
import type { ChunkerParams } from '../chunker/types.js';
import type { LeftsyncError } from '../errors.js';
import type { ShareCheck } from '../fs/share-guard.js';
import type { IndexEntry, SyncIndex } from '../model/entries.js';
import type { hashFile } from './hash.js';
import type { IgnoreMatcher } from './ignore.js';
import type { ScanLock } from './scan-lock.js';

export interface ScannerOptions {
  shareDir: string;
  /** Never scanned, wherever it is (the ignore matcher refuses it). */
  stateDir: string;
  index: SyncIndex;
  params: ChunkerParams;
  /** Scans hold it; so does every apply step (see ScanLock). */
  lock: ScanLock;
  /** Extra gitignore-style patterns (leftsync --exclude), applied after .leftsyncignore. */
  excludes?: readonly string[];
  /** Asked before every scan: a missing share (no marker, another device) is never scanned. */
  share: ShareCheck;
  /** Reads and signs one file; replaceable so tests can change a file mid-hash (then every file, small ones too, is read through it). */
  hashFile?: typeof hashFile;
  /** Streaming sync: large files publish their chunks while they are hashed (src/peer/stream-publish.ts). */
  streams?: HashStreams;
  /** Each group of changes once recorded, mid-scan: a burst is announced as it is recorded, not once all is hashed. */
  onRecorded?(entries: IndexEntry[]): void;
}

/** Where a file being hashed can publish its chunk list as it grows. */
export interface HashStreams {
  /** A stream for this file, or undefined (too small, too many at once): then it is hashed as any other. */
  begin(relPath: string, size: number): HashStream | undefined;
}

export interface HashStream {
  /** Given to hashFile: the chunks as they are hashed. */
  onChunks: ChunksHashed;
  /** The pass is over: `recorded` when its entry is being recorded; otherwise the stream is abandoned. */
  end(recorded: boolean): void;
}

export interface ScanResult {
  /** Entries recorded (changes, tombstones) by sequence; the first MAX_CHANGED_KEPT only (onRecorded sees all). */
  changed: IndexEntry[];
  /** How many entries this scan recorded. */
  changedCount: number;
  /** Files read and chunked. */
  hashed: number;
  /** Entries skipped by the size/mtime/inode shortcut (or unchanged dirs and links). */
  unchanged: number;
  /** Files that changed while being hashed; the next event or rescan takes them. */
  unstable: string[];
  /** Paths that could not be read (permissions...); left as they were in the index. */
  failed: { path: string; error: LeftsyncError }[];
  /**
   * The most paths this run kept in memory at once to tell what is gone: a full
   * scan holds one folder's names at a time, so this follows the largest folder,
   * not the size of the share.
   */
  heldPaths: number;
}

export interface Scanner {
  readonly ignore: IgnoreMatcher;
  /** Walks the whole share. */
  scanAll(): Promise<ScanResult>;
  /**
   * Rescans these share-relative paths (a directory with everything below it); a
   * path that is gone becomes a tombstone, with everything the index had below it.
   */
  scanPaths(paths: string[]): Promise<ScanResult>;
  /**
   * Runs `job` holding the scan lock. `scanNow` scans paths inside the job
   * (calling scanPaths there would wait for the job itself).
   */
  exclusive<T>(job: (scanNow: (paths: string[]) => Promise<ScanResult>) => Promise<T>): Promise<T>;
}
