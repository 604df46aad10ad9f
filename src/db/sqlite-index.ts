/**
 * SyncIndex over SQLite (better-sqlite3). Every method is one transaction, so a
 * SIGKILL leaves the index as it was before or after the call.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ErrorCode, LeftsyncError } from '../errors.js';
import { guard, indexError } from './index-errors.js';
import { appliedVersion, bumpedVersion, knownVersion, mergeVersions, supersededAfter } from '../model/version.js';
import { asBuffer, entryToParams, observedFields, rawToSeenPath, rowToChunk, rowToEntry, rowToSeen, type PartialRow } from './rows.js';
import { applySchema } from './schema.js';
import { prepareMeta } from './migrate.js';
import { prepareStatements, type Statements } from './statements.js';
import type {
  ChunkLocation,
  EntryType,
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
} from '../model/entries.js';

export const INDEX_FILE = 'index.db';

/** Opens (creating when missing) <stateDir>/index.db for the node `peerId`. */
export function openIndex(stateDir: string, peerId: string): SyncIndex {
  let db: Database.Database;
  try {
    mkdirSync(stateDir, { recursive: true });
    db = new Database(path.join(stateDir, INDEX_FILE), { timeout: 10_000 });
    applySchema(db);
  } catch (err) {
    throw indexError(err, `open in ${stateDir}`);
  }
  try {
    return new SqliteIndex(db, peerId);
  } catch (err) {
    db.close();
    throw indexError(err, `open in ${stateDir}`);
  }
}

/** `fields` as the entry that replaces `previous`, keeping what `previous` superseded while `fields` does not dominate it. */
function successorOf(fields: Omit<IndexEntry, 'superseded'>, previous: IndexEntry | undefined): IndexEntry {
  const superseded = supersededAfter(previous, fields.version);
  return superseded === undefined ? fields : { ...fields, superseded };
}

class SqliteIndex implements SyncIndex {
  readonly indexId: string;
  readonly peerId: string;
  private readonly db: Database.Database;
  private readonly stmt: Statements;
  /** The last sequence number issued (meta 'sequence' once its transaction commits). */
  private sequence: number;
  /** The value of meta 'sequence' in this connection's view (written once per transaction, see storingSequence). */
  private storedSequence: number;

  constructor(db: Database.Database, peerId: string) {
    this.db = db;
    this.peerId = peerId;
    const getMeta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
    const setMeta = db.prepare<[string, string]>('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
    this.indexId = db.transaction(() => prepareMeta(db, peerId, getMeta, setMeta)).immediate();

    this.stmt = prepareStatements(db, getMeta, setMeta);

    this.sequence = this.readSequence();
    this.storedSequence = this.sequence;

    // Each public method is one transaction (immediate: take the write lock up front).
    // Inside a batch it runs as it is: a savepoint per call cost ~20 us, a third
    // of a scanned file's index write, and the batch is atomic as a whole anyway.
    const tx = <A extends unknown[], R>(what: string, fn: (...args: A) => R) => {
      const wrapped = this.rollsBack(db.transaction((...args: A) => this.storingSequence(() => fn(...args))));
      return guard(what, (...args: A) => (db.inTransaction ? fn(...args) : wrapped.immediate(...args)));
    };
    this.recordLocalChange = tx('recordLocalChange', this.recordLocalChange.bind(this));
    this.recordLocalDeletion = tx('recordLocalDeletion', this.recordLocalDeletion.bind(this));
    this.recordApplied = tx('recordApplied', this.recordApplied.bind(this));
    this.recordMergedVersion = tx('recordMergedVersion', this.recordMergedVersion.bind(this));
    this.recordInode = tx('recordInode', this.recordInode.bind(this));
    const batch = this.batch.bind(this);
    this.batch = <T>(fn: () => T): T => {
      try {
        return batch(fn);
      } catch (err) {
        // The caller's own errors pass through as they are; database failures get our codes.
        const code = (err as { code?: unknown }).code;
        throw typeof code === 'string' && code.startsWith('SQLITE_') ? indexError(err, 'batch') : err;
      }
    };
    this.storeRemoteEntries = tx('storeRemoteEntries', this.storeRemoteEntries.bind(this));
    this.resetRemote = tx('resetRemote', this.resetRemote.bind(this));
    this.startPartial = tx('startPartial', this.startPartial.bind(this));
    this.markChunkVerified = tx('markChunkVerified', this.markChunkVerified.bind(this));
    this.dropPartial = tx('dropPartial', this.dropPartial.bind(this));
    // Reads that combine several statements see one snapshot.
    this.partial = tx('partial', this.partial.bind(this));
    this.partials = tx('partials', this.partials.bind(this));
    this.partialsOf = tx('partialsOf', this.partialsOf.bind(this));
  }

  get(path: string): IndexEntry | undefined {
    const row = this.stmt.get.get(path);
    return row && rowToEntry(row);
  }

  versionOf(path: string): VersionVector | undefined {
    const version = this.stmt.versionOf.get(path);
    return version === undefined ? undefined : (JSON.parse(version) as VersionVector);
  }

  all(): IndexEntry[] {
    return this.stmt.all.all().map(rowToEntry);
  }

  livePathsAfter(afterPath: string, limit: number): { path: string; type: EntryType }[] {
    return this.stmt.livePathsAfter.all(afterPath, limit);
  }

  pathsInRange(from: string, to: string | null, limit: number): SeenPath[] {
    const rows = to === null ? this.stmt.pathsFrom.all(from, limit) : this.stmt.pathsInRange.all(from, to, limit);
    return rows.map(rawToSeenPath);
  }

  seenOf(path: string): SeenEntry | undefined {
    const row = this.stmt.seenOf.get(path);
    return row && rowToSeen(row);
  }

  entriesAfter(afterPath: string, limit: number): IndexEntry[] {
    return this.stmt.after.all(afterPath, limit).map(rowToEntry);
  }

  listUnder(dir: string): IndexEntry[] {
    // Every path starting with "dir/" sorts between "dir/" and "dir0" ('0' follows '/').
    return this.stmt.under.all(`${dir}/`, `${dir}0`).map(rowToEntry);
  }

  since(since: number, limit = -1): IndexEntry[] {
    return this.stmt.since.all(since, limit).map(rowToEntry);
  }

  maxSequence(): number {
    return this.sequence;
  }

  private readSequence(): number {
    return Number(this.stmt.getMeta.get('sequence')?.value ?? 0);
  }

  /** Our next sequence number: counted here (a read per change spared), stored when its transaction ends. */
  private nextSequence(): number {
    this.sequence += 1;
    return this.sequence;
  }

  /**
   * Runs `fn` (a transaction's body), then writes meta 'sequence' once if it issued
   * numbers: a write per change cost a row replaced per file of a 10,000-file batch.
   */
  private storingSequence<T>(fn: () => T): T {
    const result = fn();
    if (this.sequence !== this.storedSequence) {
      this.stmt.setMeta.run('sequence', String(this.sequence));
      this.storedSequence = this.sequence;
    }
    return result;
  }

  /**
   * The version of a local change replacing `previous`: every version it stood
   * for (IndexEntry.superseded included), our counter past any value of it a peer
   * announced for the path (see bumpedVersion).
   */
  private bumped(path: string, previous: IndexEntry | undefined): VersionVector {
    const announced = this.stmt.announcedVersions.all(path).map((row) => JSON.parse(row.version) as VersionVector);
    return bumpedVersion(previous && knownVersion(previous), this.peerId, announced);
  }

  /** Stores `fields` with their chunks as the successor of `previous` (see successorOf). */
  private store(fields: Omit<IndexEntry, 'superseded'>, chunks: StoredChunk[], previous: IndexEntry | undefined): IndexEntry {
    const entry = successorOf(fields, previous);
    this.stmt.putEntry.run(entryToParams(entry));
    // A path new to the index has no chunks to drop (they are stored only with an entry).
    if (previous !== undefined) this.stmt.deleteChunks.run(entry.path);
    if (!entry.deleted) {
      for (const chunk of chunks) {
        this.stmt.insertChunk.run(entry.path, chunk.offset, chunk.length, asBuffer(chunk.hash));
      }
    }
    return entry;
  }

  recordLocalChange(observed: ObservedEntry, chunks: StoredChunk[]): IndexEntry {
    const previous = this.get(observed.path);
    return this.store(
      {
        ...observedFields(observed),
        version: this.bumped(observed.path, previous),
        deleted: false,
        sequence: this.nextSequence(),
        modifiedBy: this.peerId,
      },
      chunks,
      previous,
    );
  }

  recordLocalDeletion(path: string): IndexEntry | undefined {
    const previous = this.get(path);
    if (previous === undefined || previous.deleted) return undefined;
    return this.store(
      {
        ...observedFields(previous),
        size: 0,
        digest: Buffer.alloc(0),
        symlinkTarget: '',
        inode: 0,
        version: this.bumped(path, previous),
        deleted: true,
        sequence: this.nextSequence(),
        modifiedBy: this.peerId,
      },
      [],
      previous,
    );
  }

  recordApplied(entry: Omit<IndexEntry, 'sequence'>, chunks: StoredChunk[], decidedOn?: VersionVector): IndexEntry {
    // Decided in this transaction: a local change recorded while the remote version
    // was being fetched must not lose its counter, or our next change would reuse a
    // value already announced for other content.
    const previous = this.get(entry.path);
    const applied = appliedVersion(entry.version, previous?.version, decidedOn);
    // A deletion we apply also stands for what we superseded (a version of ours that
    // lost a conflict, kept under a conflict name): a peer still holding it deletes it.
    const version = entry.deleted && previous !== undefined ? mergeVersions(applied, knownVersion(previous)) : applied;
    return this.store({ ...observedFields(entry), version, deleted: entry.deleted, modifiedBy: entry.modifiedBy, sequence: this.nextSequence() }, chunks, previous);
  }

  recordMergedVersion(path: string, version: VersionVector): IndexEntry | undefined {
    const previous = this.get(path);
    if (previous === undefined) return undefined;
    const { superseded: _replaced, ...fields } = previous;
    const entry = successorOf({ ...fields, version: mergeVersions(previous.version, version), sequence: this.nextSequence() }, previous);
    this.stmt.putEntry.run(entryToParams(entry));
    return entry;
  }

  batch<T>(fn: () => T): T {
    // The calls inside join this transaction: a call that throws rolls the whole batch back.
    return this.rollsBack(this.db.transaction(() => this.storingSequence(fn))).immediate();
  }

  /** `transaction`, with our sequence counter put back to the stored one when it rolls back. */
  private rollsBack<F extends Database.Transaction>(transaction: F): Pick<F, 'immediate'> {
    return {
      immediate: ((...args: unknown[]) => {
        try {
          return transaction.immediate(...args);
        } catch (err) {
          if (!this.db.inTransaction) this.sequence = this.storedSequence = this.readSequence();
          throw err;
        }
      }) as F['immediate'],
    };
  }

  recordInode(path: string, inode: number): void {
    this.stmt.setInode.run(inode, path);
  }

  chunksOf(path: string): StoredChunk[] {
    return this.stmt.chunksOf.all(path).map(rowToChunk);
  }

  findChunk(hash: Buffer): ChunkLocation | undefined {
    const key = asBuffer(hash);
    const inFile = this.stmt.findFileChunk.get(key);
    if (inFile) return { kind: 'file', path: inFile.path, offset: inFile.offset, length: inFile.length };
    const inPartial = this.stmt.findPartialChunk.get(key);
    if (inPartial) return { kind: 'partial', path: inPartial.temp_name, offset: inPartial.offset, length: inPartial.length };
    return undefined;
  }

  fileWithDigest(digest: Buffer): string | undefined {
    return this.stmt.fileWithDigest.get(asBuffer(digest))?.path;
  }

  remoteProgress(peerId: string): RemoteProgress {
    const row = this.stmt.getProgress.get(peerId);
    return row ? { indexId: row.index_id, sequence: row.sequence } : { indexId: '', sequence: 0 };
  }

  storeRemoteEntries(peerId: string, indexId: string, entries: IndexEntry[]): void {
    const progress = this.remoteProgress(peerId);
    let sequence = progress.indexId === indexId ? progress.sequence : 0;
    for (const entry of entries) {
      this.stmt.putRemote.run({ peer: peerId, ...entryToParams(entry) });
      sequence = Math.max(sequence, entry.sequence);
    }
    this.stmt.setProgress.run(peerId, indexId, sequence);
  }

  remoteEntry(peerId: string, path: string): IndexEntry | undefined {
    const row = this.stmt.remoteEntry.get(peerId, path);
    return row && rowToEntry(row);
  }

  remoteShape(peerId: string, path: string): RemoteShape | undefined {
    const row = this.stmt.remoteShape.get(peerId, path);
    return row && { type: row.type as EntryType, size: row.size, deleted: row.deleted !== 0 };
  }

  remoteEntries(peerId: string): IndexEntry[] {
    return this.stmt.remoteEntries.all(peerId).map(rowToEntry);
  }

  remoteEntriesAfter(peerId: string, afterPath: string, limit: number): IndexEntry[] {
    return this.stmt.remoteAfter.all(peerId, afterPath, limit).map(rowToEntry);
  }

  remoteCount(peerId: string): number {
    return this.stmt.remoteCount.get(peerId)?.n ?? 0;
  }

  resetRemote(peerId: string, indexId: string): void {
    this.stmt.deleteRemote.run(peerId);
    this.stmt.setProgress.run(peerId, indexId, 0);
  }

  private toPartial(row: PartialRow): PartialDownload {
    const offsets = this.stmt.verifiedOffsets.all(row.temp_name).map((r) => r.offset);
    return { path: row.path, digest: row.digest, tempName: row.temp_name, size: row.size, verifiedOffsets: new Set(offsets) };
  }

  partial(path: string, digest: Buffer): PartialDownload | undefined {
    const row = this.stmt.partialByPath.get(path, asBuffer(digest));
    return row && this.toPartial(row);
  }

  startPartial(path: string, digest: Buffer, size: number): PartialDownload {
    const existing = this.partial(path, digest);
    if (existing) return existing;
    const tempName = `${randomBytes(12).toString('hex')}.part`;
    this.stmt.insertPartial.run(tempName, path, asBuffer(digest), size);
    return { path, digest: Buffer.from(digest), tempName, size, verifiedOffsets: new Set() };
  }

  markChunkVerified(tempName: string, chunk: StoredChunk): void {
    if (!this.stmt.partialByName.get(tempName)) {
      throw new LeftsyncError(ErrorCode.INDEX, `markChunkVerified: no partial download ${tempName}`);
    }
    this.stmt.insertPartialChunk.run(tempName, chunk.offset, chunk.length, asBuffer(chunk.hash));
  }

  dropPartial(tempName: string): void {
    this.stmt.deletePartial.run(tempName);
  }

  partials(): PartialDownload[] {
    return this.stmt.allPartials.all().map((row) => this.toPartial(row));
  }

  partialsOf(path: string): PartialDownload[] {
    return this.stmt.partialsOf.all(path).map((row) => this.toPartial(row));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
