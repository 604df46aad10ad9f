/**
 * What a sync session is given and what it offers the node (src/peer/session.ts
 * implements it).
 */
import type { SyncIndex } from '../model/entries.js';
import type { ShareCheck } from '../fs/share-guard.js';
import type { Logger } from '../log.js';
import type { PeerConnection } from '../transport/connection.js';
import type { ScanLock } from '../scanner/scan-lock.js';
import type { PathLocks } from '../transfer/path-locks.js';
import type { DiskFull } from '../transfer/disk-full.js';
import type { GrowingFiles } from '../transfer/growing-files.js';
import type { StreamPublisher } from './stream-publish.js';
import type { TokenBucket } from '../transfer/rate-limit.js';
import type { TransferStats } from '../transfer/stats.js';
import type { EventBus } from '../status/events.js';

export interface SessionOptions {
  conn: PeerConnection;
  index: SyncIndex;
  /** Absolute path of the share. */
  shareDir: string;
  /** Absolute path of the state folder (temp files live in its tmp/). */
  stateDir: string;
  /** Our own peer id, for logs (defaults to index.peerId). */
  peerId?: string;
  /**
   * Rescans these share paths into the index (the scanner). Used after a conflict
   * rename and when a local file changed under a transfer.
   */
  rescan(paths: string[]): Promise<void>;
  /**
   * Called after this session changed the local index (a file applied, deleted,
   * merged), so the node can announce to every peer (A -> B -> C).
   */
  onLocalChange?(): void;
  /**
   * Paths this node leaves alone (its ignore matcher, which always includes the
   * state folder); remote entries for them are stored but never applied.
   */
  isIgnored(relPath: string, isDir: boolean): boolean;
  /** The node's scan lock: the applier holds it for every change-then-record step. */
  scanLock: ScanLock;
  /** The node's share guard: nothing is applied while the share is missing. */
  share: ShareCheck;
  /** The node's disk-full state: downloads and received index entries wait for space. */
  disk: DiskFull;
  /** One apply per share path at a time, across the node's sessions. */
  pathLocks: PathLocks;
  /** The node's events (transfers, applied changes, conflicts). */
  events: EventBus;
  /** Units of work at once: single paths, or batches of small files (default 4). */
  pullConcurrency?: number;
  /** Most small files pulled and placed as one batch (default 128). */
  smallBatch?: number;
  /** Most deletions applied as one batch (default 256). */
  deletionBatch?: number;
  /** Most paths waiting in the work queue; the rest wait in the store (default 20,000; see StoredNeeds). */
  queueLimit?: number;
  /** Entries per Index / IndexUpdate frame (default 1000). */
  batchSize?: number;
  /** Chunks asked for and not yet written, per file (default 1024). */
  windowChunks?: number;
  /** Requested bytes in flight per file (default 8 MiB). */
  windowBytes?: number;
  /** Attempts per chunk (default 3). */
  maxChunkTries?: number;
  /** How often the byte counters are logged while they change, ms (default 5000; 0 = never). */
  statsLogIntervalMs?: number;
  /** The node's upload cap (--bwlimit), shared by every session. */
  uploadLimit?: TokenBucket;
  /** Streaming sync, the node's two halves; absent: this node neither publishes nor follows growing files. */
  streams?: { publisher: StreamPublisher; growing: GrowingFiles };
  /** --dry-run: remote entries are stored, never applied, and the peer is sent no index of ours. */
  planOnly?: boolean;
  log?: Logger;
}

export interface Session {
  /** The remote peer's id. */
  readonly remotePeerId: string;
  /** Sends the remote every local index change it has not seen yet. */
  announce(): void;
  /** Byte counters of this link. */
  stats(): TransferStats;
  /** Paths queued or being worked on. */
  pending(): number;
  /** Resolves when the index exchange answered, the queue is empty and nothing is in flight. */
  whenIdle(): Promise<void>;
  /** True once the remote's first full Index (last=true) was received. */
  readonly indexReceived: boolean;
  /** Looks at every stored remote entry again (the share is back: paused work need not wait for its retry). */
  reconsider(): void;
  close(reason?: string): void;
}
