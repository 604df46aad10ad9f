/**
 * Streaming sync, the receiver's store: one partial download per file a peer
 * is still hashing (a "stream partial"), filled by that link's StreamPrefetch
 * with chunks verified against the published list, before any version of the
 * file is known. It is a partial download like any other (temp file under
 * <stateDir>/tmp, verified chunks recorded in the index, so a restart keeps
 * them), recorded under STREAM_DIGEST, which no file version has.
 *
 * Nothing here touches the share. A stream partial becomes a file only when
 * the pull of the version the sender finally indexed adopts it (adopt(): it
 * is renamed to that version's partial, and the chunks whose offset, length
 * and hash the final list repeats count as on disk); the puller and the
 * applier then finish and place it as any pull. One that no pull adopts
 * (stream abandoned, never finalised) is dropped: at once when abandoned,
 * after IDLE_MS without a writer otherwise, and the oldest when more than
 * MAX_GROWING exist; a restart keeps them for that long too.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { fromSystemError } from '../errors.js';
import type { IndexEntry, PartialDownload, StoredChunk, SyncIndex } from '../model/entries.js';
import type { Logger } from '../log.js';
import { readRange, sha256, tempDirOf } from './chunk-io.js';
import { TempFile } from './temp-file.js';

/** The digest stream partials are recorded under, and that stream chunk requests carry: the root of no file. */
export const STREAM_DIGEST: Buffer = createHash('sha256').update('leftsync: a growing file, no version yet').digest();
/** Stream partials kept at once (each as large as its file, mostly holes until filled). */
export const MAX_GROWING = 4;
/** A stream partial nobody writes to or adopts for this long is dropped. */
export const IDLE_MS = 120_000;

/** What a stream's writer (a link's prefetch) is asked to do before its partial is adopted or dropped. */
export type StopWriter = () => Promise<void>;

/** One stream partial, as its writer sees it. */
export class GrowingPartial {
  /** Chunks this process wrote (or read back) and verified, by offset. */
  private readonly fresh = new Map<number, StoredChunk>();
  file: TempFile | null = null;
  writer: StopWriter | null = null;
  timer: NodeJS.Timeout | null = null;

  constructor(
    readonly path: string,
    readonly size: number,
    readonly tempName: string,
    readonly tempPath: string,
    /** Offsets an earlier process recorded as verified: read back and hashed before they count. */
    readonly earlier: Set<number>,
  ) {}

  /** The chunk (same offset, length and hash) is on disk, verified by this process. */
  holds(chunk: StoredChunk): boolean {
    const held = this.fresh.get(chunk.offset);
    return held !== undefined && held.length === chunk.length && held.hash.equals(chunk.hash);
  }

  /** An earlier process's chunk at this offset, if it still hashes to `chunk.hash`, counts as held. */
  async readBack(chunk: StoredChunk): Promise<boolean> {
    if (!this.earlier.delete(chunk.offset)) return false;
    const data = await readRange(this.tempPath, chunk.offset, chunk.length).catch(() => null);
    if (data === null || !sha256(data).equals(chunk.hash)) return false;
    this.fresh.set(chunk.offset, chunk);
    return true;
  }

  /** A zero chunk: the temp file is sized with holes, so it is there already. */
  hole(chunk: StoredChunk): void {
    this.file!.hole(chunk);
    this.fresh.set(chunk.offset, chunk);
  }

  /** Writes a chunk the caller verified against its hash. */
  async write(chunk: StoredChunk, data: Buffer): Promise<void> {
    this.earlier.delete(chunk.offset);
    await this.file!.writeRun([chunk], data);
    this.fresh.set(chunk.offset, chunk);
  }

  /** The chunks of `chunks` (the final list) that this process holds verified. */
  trusted(chunks: StoredChunk[]): StoredChunk[] {
    return chunks.filter((chunk) => this.holds(chunk));
  }

  get chunksHeld(): number {
    return this.fresh.size;
  }
}

export interface GrowingFilesOptions {
  index: SyncIndex;
  stateDir: string;
  log: Logger;
  /** Default IDLE_MS. */
  idleMs?: number;
}

/** What adopt() hands the puller: the version's partial, and the offsets it need not read back. */
export interface AdoptedPartial {
  partial: PartialDownload;
  tempPath: string;
  trusted: Set<number>;
}

export class GrowingFiles {
  private readonly byPath = new Map<string, GrowingPartial>();
  private readonly idleMs: number;
  private closed = false;

  constructor(private readonly options: GrowingFilesOptions) {
    this.idleMs = options.idleMs ?? IDLE_MS;
  }

  /** At start: stream partials an earlier process left wait for a writer or a pull, as long as any would. */
  start(): void {
    const { index, stateDir } = this.options;
    for (const partial of index.partials().filter((p) => p.digest.equals(STREAM_DIGEST))) {
      const growing = new GrowingPartial(partial.path, partial.size, partial.tempName, path.join(tempDirOf(stateDir), partial.tempName), partial.verifiedOffsets);
      this.byPath.set(partial.path, growing);
      this.idle(growing);
    }
    while (this.byPath.size > MAX_GROWING) void this.drop(this.byPath.keys().next().value!);
  }

  /**
   * The stream partial of `relPath` for a file of `size` bytes, opened for
   * `writer` (resumed when one of that size exists); undefined when MAX_GROWING
   * others are being written.
   */
  async claim(relPath: string, size: number, writer: StopWriter): Promise<GrowingPartial | undefined> {
    if (this.closed) return undefined;
    let growing = this.byPath.get(relPath);
    // Written by an older pass (or another link): that writer stops first.
    if (growing?.writer != null) await this.detach(growing);
    if (growing !== undefined && growing.size !== size) {
      await this.drop(relPath);
      growing = undefined;
    }
    if (growing === undefined) {
      if (this.byPath.size >= MAX_GROWING) {
        const spare = [...this.byPath.values()].find((g) => g.writer === null);
        if (spare === undefined) return undefined;
        await this.drop(spare.path);
      }
      growing = await this.create(relPath, size);
    }
    if (growing.timer !== null) clearTimeout(growing.timer);
    growing.timer = null;
    growing.writer = writer;
    if (growing.file === null) {
      const partial = this.options.index.partial(relPath, STREAM_DIGEST);
      if (partial === undefined) {
        this.byPath.delete(relPath);
        return undefined;
      }
      // No early flushes here: a stream partial is closed without complete(), so a failed one would go unreported,
      // and having seen the error, the kernel would not report it to the final fsync either. The pull's flushes cover its pages.
      growing.file = await TempFile.open(growing.tempPath, partial, size, [], this.options.index, Infinity);
    }
    return growing;
  }

  /** Its writer is done with it (the link closed, the list ended): it waits for a pull, or IDLE_MS. */
  release(growing: GrowingPartial, writer: StopWriter): void {
    if (this.byPath.get(growing.path) !== growing || growing.writer !== writer) return;
    growing.writer = null;
    this.record(growing);
    this.idle(growing);
  }

  /**
   * Drops the stream partial of `relPath` (abandoned, replaced, idle), only if
   * it is `only` when given: its writer stops, its temp file goes.
   */
  async drop(relPath: string, only?: GrowingPartial): Promise<void> {
    const growing = this.byPath.get(relPath);
    if (growing === undefined || (only !== undefined && growing !== only)) return;
    this.byPath.delete(relPath);
    await this.detach(growing);
    this.options.index.dropPartial(growing.tempName);
    await unlink(growing.tempPath).catch(() => undefined);
    this.options.log.debug('stream.partial_dropped', { path: relPath, chunks: growing.chunksHeld });
  }

  /**
   * The pull of `remote` (a final version, cut into `chunks`) takes over the
   * stream partial of its path, if one of its size exists: renamed to that
   * version's partial, with the chunks at the same offset, length and hash
   * recorded as verified (those of this process trusted as they are, an
   * earlier process's to be read back by the puller).
   */
  async adopt(remote: IndexEntry, chunks: StoredChunk[]): Promise<AdoptedPartial | undefined> {
    const growing = this.byPath.get(remote.path);
    if (growing === undefined) return undefined;
    if (growing.size !== remote.size) {
      await this.drop(remote.path);
      return undefined;
    }
    const { index, stateDir, log } = this.options;
    this.byPath.delete(remote.path);
    await this.detach(growing);
    const next = index.startPartial(remote.path, remote.digest, remote.size);
    const tempPath = path.join(tempDirOf(stateDir), next.tempName);
    try {
      // A kill after this rename leaves the stream partial without its file (forgotten at start) and this one without chunks.
      await rename(growing.tempPath, tempPath);
    } catch (err) {
      index.dropPartial(next.tempName);
      index.dropPartial(growing.tempName);
      log.warn('stream.adopt_failed', { path: remote.path, err: fromSystemError(err, `rename ${growing.tempPath}`) });
      return undefined;
    }
    const trusted = new Set(growing.trusted(chunks).map((chunk) => chunk.offset));
    index.batch(() => {
      for (const chunk of chunks) {
        if (trusted.has(chunk.offset) || growing.earlier.has(chunk.offset)) index.markChunkVerified(next.tempName, chunk);
      }
      index.dropPartial(growing.tempName);
    });
    log.info('stream.adopted', { path: remote.path, chunks: chunks.length, held: trusted.size, earlier: growing.earlier.size });
    return { partial: index.partial(remote.path, remote.digest)!, tempPath, trusted };
  }

  /** The node stops: writes are recorded, files closed; the partials stay for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    for (const growing of this.byPath.values()) await this.detach(growing);
    this.byPath.clear();
  }

  private async create(relPath: string, size: number): Promise<GrowingPartial> {
    const { index, stateDir } = this.options;
    const tempDir = tempDirOf(stateDir);
    await mkdir(tempDir, { recursive: true }).catch((err) => {
      throw fromSystemError(err, `mkdir ${tempDir}`);
    });
    const existing = index.partial(relPath, STREAM_DIGEST);
    if (existing !== undefined) {
      // Left by an earlier process; usable only at this size and with its file.
      const tempPath = path.join(tempDir, existing.tempName);
      const onDisk = await stat(tempPath).then((s) => s.size, () => -1);
      if (existing.size === size && onDisk === size) {
        const growing = new GrowingPartial(relPath, size, existing.tempName, tempPath, existing.verifiedOffsets);
        this.byPath.set(relPath, growing);
        return growing;
      }
      index.dropPartial(existing.tempName);
      await unlink(tempPath).catch(() => undefined);
    }
    const partial = index.startPartial(relPath, STREAM_DIGEST, size);
    const growing = new GrowingPartial(relPath, size, partial.tempName, path.join(tempDir, partial.tempName), new Set());
    this.byPath.set(relPath, growing);
    return growing;
  }

  /** Stops its writer, records and closes its file, forgets its timer. */
  private async detach(growing: GrowingPartial): Promise<void> {
    if (growing.timer !== null) clearTimeout(growing.timer);
    growing.timer = null;
    const writer = growing.writer;
    growing.writer = null;
    await writer?.();
    this.record(growing);
    await growing.file?.close();
    growing.file = null;
  }

  private record(growing: GrowingPartial): void {
    try {
      growing.file?.record();
    } catch (err) {
      // Its partial is gone already (a placed version of the path dropped it): nothing to keep.
      this.options.log.debug('stream.record_failed', { path: growing.path, err });
    }
  }

  private idle(growing: GrowingPartial): void {
    if (growing.timer !== null) clearTimeout(growing.timer);
    growing.timer = setTimeout(() => {
      growing.timer = null;
      if (growing.writer === null) void this.drop(growing.path).catch(() => undefined);
    }, this.idleMs);
    growing.timer.unref();
  }
}
