/**
 * An in-memory SyncIndex: the contract of src/model/entries.ts without SQLite, for
 * tests of the sync engine. Behaves like the real one where the engine can tell.
 */
import { randomBytes } from 'node:crypto';
import type {
  ChunkLocation,
  IndexEntry,
  ObservedEntry,
  PartialDownload,
  RemoteProgress,
  RemoteShape,
  SeenEntry,
  SeenPath,
  StoredChunk,
  SyncIndex,
  VersionVector,
} from '../../src/model/entries.js';
import { appliedVersion, knownVersion, mergeVersions, supersededAfter } from '../../src/model/version.js';

interface Partial {
  download: PartialDownload;
  chunks: Map<number, StoredChunk>;
}

const clone = (e: IndexEntry): IndexEntry => ({ ...e, version: { ...e.version }, digest: Buffer.from(e.digest) });

export class MemoryIndex implements SyncIndex {
  readonly indexId: string;
  private seq = 0;
  private readonly entries = new Map<string, IndexEntry>();
  private readonly chunkLists = new Map<string, StoredChunk[]>();
  private readonly remotes = new Map<string, { progress: RemoteProgress; entries: Map<string, IndexEntry> }>();
  private readonly partialsByTemp = new Map<string, Partial>();

  constructor(
    readonly peerId: string,
    indexId = randomBytes(8).toString('hex'),
  ) {
    this.indexId = indexId;
  }

  get(path: string): IndexEntry | undefined {
    const e = this.entries.get(path);
    return e && clone(e);
  }

  all(): IndexEntry[] {
    return [...this.entries.values()].sort((a, b) => (a.path < b.path ? -1 : 1)).map(clone);
  }

  livePathsAfter(afterPath: string, limit: number): { path: string; type: IndexEntry['type'] }[] {
    return this.entriesAfter(afterPath, Infinity)
      .filter((e) => !e.deleted)
      .slice(0, limit)
      .map((e) => ({ path: e.path, type: e.type }));
  }

  pathsInRange(from: string, to: string | null, limit: number): SeenPath[] {
    // Byte order, as SQLite compares TEXT (JS < compares UTF-16 code units).
    const key = (p: string) => Buffer.from(p);
    return this.all()
      .filter((e) => Buffer.compare(key(e.path), key(from)) >= 0 && (to === null || Buffer.compare(key(e.path), key(to)) < 0))
      .sort((a, b) => Buffer.compare(key(a.path), key(b.path)))
      .slice(0, limit)
      .map((e) => ({ path: e.path, type: e.type, size: e.size, mtimeMs: e.mtimeMs, inode: e.inode, mode: e.mode, deleted: e.deleted }));
  }

  seenOf(path: string): SeenEntry | undefined {
    return this.get(path);
  }

  versionOf(path: string): VersionVector | undefined {
    return this.get(path)?.version;
  }

  entriesAfter(afterPath: string, limit: number): IndexEntry[] {
    return this.all().filter((e) => e.path > afterPath).slice(0, limit);
  }

  since(since: number, limit = Infinity): IndexEntry[] {
    return [...this.entries.values()]
      .filter((e) => e.sequence > since)
      .sort((a, b) => a.sequence - b.sequence)
      .slice(0, limit)
      .map(clone);
  }

  maxSequence(): number {
    return this.seq;
  }

  recordLocalChange(observed: ObservedEntry, chunks: StoredChunk[]): IndexEntry {
    const old = this.entries.get(observed.path);
    const version: VersionVector = { ...(old ? knownVersion(old) : {}) };
    version[this.peerId] = (version[this.peerId] ?? 0) + 1;
    return this.put({ ...observed, version, deleted: false, sequence: 0, modifiedBy: this.peerId }, chunks);
  }

  recordLocalDeletion(path: string): IndexEntry | undefined {
    const old = this.entries.get(path);
    if (!old || old.deleted) return undefined;
    const known = knownVersion(old);
    const version = { ...known, [this.peerId]: (known[this.peerId] ?? 0) + 1 };
    return this.put(
      { ...old, size: 0, digest: Buffer.alloc(0), inode: 0, version, deleted: true, modifiedBy: this.peerId, sequence: 0 },
      [],
    );
  }

  recordApplied(entry: Omit<IndexEntry, 'sequence'>, chunks: StoredChunk[], decidedOn?: VersionVector): IndexEntry {
    const old = this.entries.get(entry.path);
    const applied = appliedVersion(entry.version, old?.version, decidedOn);
    const version = entry.deleted && old ? mergeVersions(applied, knownVersion(old)) : applied;
    return this.put({ ...entry, version, sequence: 0 }, chunks);
  }

  recordMergedVersion(path: string, version: VersionVector): IndexEntry | undefined {
    const old = this.entries.get(path);
    if (!old) return undefined;
    return this.put({ ...old, version: mergeVersions(old.version, version) }, this.chunkLists.get(path) ?? []);
  }

  /** Stores `entry` as the successor of what the path held, keeping what that superseded (as the SQLite index does). */
  private put(entry: IndexEntry, chunks: StoredChunk[]): IndexEntry {
    const { superseded: _carried, ...fields } = entry;
    const superseded = supersededAfter(this.entries.get(entry.path), entry.version);
    const stored: IndexEntry = { ...fields, sequence: ++this.seq, ...(superseded === undefined ? {} : { superseded }) };
    this.entries.set(entry.path, stored);
    this.chunkLists.set(entry.path, chunks.map((c) => ({ ...c })));
    return clone(stored);
  }

  chunksOf(path: string): StoredChunk[] {
    return (this.chunkLists.get(path) ?? []).map((c) => ({ ...c }));
  }

  fileWithDigest(digest: Buffer): string | undefined {
    for (const e of this.entries.values()) if (!e.deleted && e.type === 'file' && e.digest.equals(digest)) return e.path;
    return undefined;
  }

  findChunk(hash: Buffer): ChunkLocation | undefined {
    for (const [path, chunks] of this.chunkLists) {
      const e = this.entries.get(path);
      if (!e || e.deleted || e.type !== 'file') continue;
      const c = chunks.find((x) => x.hash.equals(hash));
      if (c) return { kind: 'file', path, offset: c.offset, length: c.length };
    }
    for (const p of this.partialsByTemp.values()) {
      for (const c of p.chunks.values()) {
        if (c.hash.equals(hash)) return { kind: 'partial', path: p.download.tempName, offset: c.offset, length: c.length };
      }
    }
    return undefined;
  }

  remoteProgress(peerId: string): RemoteProgress {
    return { ...(this.remotes.get(peerId)?.progress ?? { indexId: '', sequence: 0 }) };
  }

  storeRemoteEntries(peerId: string, indexId: string, entries: IndexEntry[]): void {
    let remote = this.remotes.get(peerId);
    if (!remote || remote.progress.indexId !== indexId) {
      remote = { progress: { indexId, sequence: 0 }, entries: new Map() };
      this.remotes.set(peerId, remote);
    }
    for (const e of entries) {
      remote.entries.set(e.path, clone(e));
      remote.progress.sequence = Math.max(remote.progress.sequence, e.sequence);
    }
  }

  remoteEntry(peerId: string, path: string): IndexEntry | undefined {
    const e = this.remotes.get(peerId)?.entries.get(path);
    return e && clone(e);
  }

  remoteShape(peerId: string, path: string): RemoteShape | undefined {
    const e = this.remotes.get(peerId)?.entries.get(path);
    return e && { type: e.type, size: e.size, deleted: e.deleted };
  }

  remoteEntries(peerId: string): IndexEntry[] {
    return [...(this.remotes.get(peerId)?.entries.values() ?? [])].map(clone);
  }

  remoteEntriesAfter(peerId: string, afterPath: string, limit: number): IndexEntry[] {
    return this.remoteEntries(peerId)
      .filter((e) => e.path > afterPath)
      .sort((a, b) => (a.path < b.path ? -1 : 1))
      .slice(0, limit);
  }

  remoteCount(peerId: string): number {
    return this.remotes.get(peerId)?.entries.size ?? 0;
  }

  resetRemote(peerId: string, indexId: string): void {
    this.remotes.set(peerId, { progress: { indexId, sequence: 0 }, entries: new Map() });
  }

  partial(path: string, digest: Buffer): PartialDownload | undefined {
    for (const p of this.partialsByTemp.values()) {
      if (p.download.path === path && p.download.digest.equals(digest)) return copyPartial(p);
    }
    return undefined;
  }

  startPartial(path: string, digest: Buffer, size: number): PartialDownload {
    const tempName = `${randomBytes(8).toString('hex')}.part`;
    const p: Partial = { download: { path, digest: Buffer.from(digest), tempName, size, verifiedOffsets: new Set() }, chunks: new Map() };
    this.partialsByTemp.set(tempName, p);
    return copyPartial(p);
  }

  markChunkVerified(tempName: string, chunk: StoredChunk): void {
    const p = this.partialsByTemp.get(tempName);
    if (!p) return;
    p.download.verifiedOffsets.add(chunk.offset);
    p.chunks.set(chunk.offset, { ...chunk });
  }

  dropPartial(tempName: string): void {
    this.partialsByTemp.delete(tempName);
  }

  partials(): PartialDownload[] {
    return [...this.partialsByTemp.values()].map(copyPartial);
  }

  partialsOf(path: string): PartialDownload[] {
    return this.partials().filter((p) => p.path === path);
  }

  listUnder(dir: string): IndexEntry[] {
    return this.all().filter((e) => e.path.startsWith(dir + '/'));
  }

  recordInode(path: string, inode: number): void {
    const e = this.entries.get(path);
    if (e) e.inode = inode;
  }

  /** Calls are applied one by one in memory; there is nothing to make atomic. */
  batch<T>(fn: () => T): T {
    return fn();
  }

  close(): void {}
}

function copyPartial(p: Partial): PartialDownload {
  return { ...p.download, verifiedOffsets: new Set(p.download.verifiedOffsets) };
}
