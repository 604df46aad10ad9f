/**
 * The contract of the persistent index (implemented in src/db/ over SQLite).
 * The scanner writes local changes into it, the sync engine reads it to announce
 * and to find reusable chunks, and records remote versions it has applied.
 * Every method is synchronous and each call is one transaction, so a SIGKILL
 * leaves the index at a state before or after the call, never in between.
 */

/** peer id -> number of changes that peer made to this path. */
export type VersionVector = Record<string, number>;

export type EntryType = 'file' | 'dir' | 'symlink';

/** One chunk of a file as stored in the index. */
export interface StoredChunk {
  offset: number;
  length: number;
  /** Strong hash of the chunk (32 bytes for sha256). */
  hash: Buffer;
}

/** What the scanner observed of one path on disk (no version bookkeeping). */
export interface ObservedEntry {
  /** Share-relative path, '/' separated, NFC, no leading '/', never '.' or '..' segments. */
  path: string;
  type: EntryType;
  /** Bytes; 0 for dirs and symlinks. */
  size: number;
  mtimeMs: number;
  /** Permission bits (mode & 0o777). */
  mode: number;
  /** Whole-file digest (files only; empty Buffer otherwise). */
  digest: Buffer;
  /** Link target (symlinks only; '' otherwise). */
  symlinkTarget: string;
  /** Inode number, for the unchanged-file shortcut; 0 when unknown. */
  inode: number;
}

/** One path's state in the index: what we announce to peers. */
export interface IndexEntry extends ObservedEntry {
  version: VersionVector;
  deleted: boolean;
  /** Our local sequence number of this change (strictly increasing per index). */
  sequence: number;
  /** Peer id that made the latest change. */
  modifiedBy: string;
  /**
   * Ours alone, never announced: the versions of this path this peer held before,
   * beyond `version` (their union). After a lost conflict `version` is the
   * winner's own vector, which leaves out the loser's counters; our next local
   * change, and a deletion we apply, include them, so that they dominate the
   * loser (kept under a conflict name) wherever a peer still holds it.
   */
  superseded?: VersionVector;
}

/** Where a chunk with a given hash can be read locally. */
export interface ChunkLocation {
  /** 'file': a synced file in the share; 'partial': a verified chunk of a partial download. */
  kind: 'file' | 'partial';
  /** Share-relative path for 'file'; temp file name under the state folder for 'partial'. */
  path: string;
  offset: number;
  length: number;
}

/** A download in progress: a temp file being filled with verified chunks. */
export interface PartialDownload {
  /** The file being downloaded. */
  path: string;
  /** Digest of the version being downloaded. */
  digest: Buffer;
  /** Temp file name, relative to the state folder's tmp/ directory. */
  tempName: string;
  size: number;
  /** Offsets of chunks already written and verified. */
  verifiedOffsets: Set<number>;
}

export interface RemoteProgress {
  /** The remote's index id our `sequence` refers to. */
  indexId: string;
  /** Highest sequence of that remote index we have stored. */
  sequence: number;
}

/** What the scanner saw at a path, without versions or chunks (SyncIndex.seenOf). */
export type SeenEntry = Pick<IndexEntry, 'type' | 'size' | 'mtimeMs' | 'inode' | 'mode' | 'deleted'>;
export type SeenPath = SeenEntry & { path: string };
/** What a remote entry is, without its versions, digest or owner (one row's three columns). */
export type RemoteShape = Pick<IndexEntry, 'type' | 'size' | 'deleted'>;

export interface SyncIndex {
  /** Random id created with the index; a peer seeing a new id resends everything. */
  readonly indexId: string;
  /** Our own peer id (counters we bump are under this id). */
  readonly peerId: string;

  get(path: string): IndexEntry | undefined;
  /** Every entry, tombstones included, in path order. */
  all(): IndexEntry[];
  /** Up to `limit` entries with path > afterPath, tombstones included, in path order (a page of all()). */
  entriesAfter(afterPath: string, limit: number): IndexEntry[];
  /** Up to `limit` live (not deleted) paths > afterPath with their types, in path order: entriesAfter, lighter. */
  livePathsAfter(afterPath: string, limit: number): { path: string; type: EntryType }[];
  /**
   * Up to `limit` entries with from <= path < to (no upper bound when `to` is null),
   * tombstones included, in path order, with what the scanner compares (its
   * lookups and its sweep of a folder: one range read instead of a query per file).
   */
  pathsInRange(from: string, to: string | null, limit: number): SeenPath[];
  /** Only what "the file is as I last saw it" compares (get(), lighter: a restart does one per file). */
  seenOf(path: string): SeenEntry | undefined;
  /** The version vector of our entry at a path (tombstones too), without the rest of the row (see wouldAct). */
  versionOf(path: string): VersionVector | undefined;
  /** Entries with sequence > since, ascending by sequence. */
  since(since: number, limit?: number): IndexEntry[];
  maxSequence(): number;

  /**
   * A local change seen by the scanner: bumps our counter in the version vector,
   * sets modifiedBy to us, assigns a new sequence, replaces the chunk list.
   * Returns the stored entry.
   */
  recordLocalChange(observed: ObservedEntry, chunks: StoredChunk[]): IndexEntry;
  /** A local deletion seen by the scanner: a tombstone with a bumped version. */
  recordLocalDeletion(path: string): IndexEntry | undefined;
  /**
   * A remote version now on disk (or deleted, for a tombstone): stores the remote's
   * version vector and modifiedBy, the observed inode/mtime of what we wrote, a new
   * local sequence so it is announced onward, and the chunk list. `decidedOn` is the
   * version of the entry the caller decided to replace (`{}`: none): while the index
   * still holds it, the remote's vector is stored as is (see appliedVersion in
   * model/version); when the index moved since, or `decidedOn` is omitted, the
   * stored vector is unioned in.
   */
  recordApplied(entry: Omit<IndexEntry, 'sequence'>, chunks: StoredChunk[], decidedOn?: VersionVector): IndexEntry;
  /**
   * Adopts a version vector without changing content (e.g. concurrent versions
   * with identical content are merged), unioned with the stored one. New sequence
   * so it is announced.
   */
  recordMergedVersion(path: string, version: VersionVector): IndexEntry | undefined;

  chunksOf(path: string): StoredChunk[];
  /** Any local place holding a chunk with this hash (a file or a partial download). */
  findChunk(hash: Buffer): ChunkLocation | undefined;
  /** The path of a live local file with this digest (its chunk-tree root), if any: a rename's or a copy's source. */
  fileWithDigest(digest: Buffer): string | undefined;

  /** Remote index bookkeeping, per remote peer. */
  remoteProgress(peerId: string): RemoteProgress;
  /** Stores remote entries as received and advances that peer's progress, atomically. */
  storeRemoteEntries(peerId: string, indexId: string, entries: IndexEntry[]): void;
  /** The latest entry a peer announced for a path. */
  remoteEntry(peerId: string, path: string): IndexEntry | undefined;
  /** remoteEntry's type, size and deleted flag alone: asked of every queued pull, which needs no more to be sorted. */
  remoteShape(peerId: string, path: string): RemoteShape | undefined;
  /** Every entry a peer announced (latest per path). */
  remoteEntries(peerId: string): IndexEntry[];
  /** Up to `limit` entries a peer announced with path > afterPath, in path order: a page, so no caller holds them all. */
  remoteEntriesAfter(peerId: string, afterPath: string, limit: number): IndexEntry[];
  /** How many paths a peer announced (tombstones included). */
  remoteCount(peerId: string): number;
  /** Forget a peer's stored entries (its index id changed). */
  resetRemote(peerId: string, indexId: string): void;

  /** Partial downloads (resume after a kill). */
  partial(path: string, digest: Buffer): PartialDownload | undefined;
  startPartial(path: string, digest: Buffer, size: number): PartialDownload;
  markChunkVerified(tempName: string, chunk: StoredChunk): void;
  dropPartial(tempName: string): void;
  /** Every partial download, for cleaning stale ones at start. */
  partials(): PartialDownload[];
  /** The partial downloads of one path (any version). */
  partialsOf(path: string): PartialDownload[];

  /** Entries strictly below directory `dir` (paths starting with `dir/`), tombstones included, in path order. */
  listUnder(dir: string): IndexEntry[];
  /**
   * Updates only the stored inode of a path whose content, mode and mtime are
   * unchanged (rewritten in place with identical bytes): no new sequence, nothing announced.
   */
  recordInode(path: string, inode: number): void;
  /**
   * Runs `fn` (synchronous; its calls to this index) as one transaction: all of
   * them or none survive a kill. Each call inside returns as usual.
   */
  batch<T>(fn: () => T): T;

  close(): void;
}
