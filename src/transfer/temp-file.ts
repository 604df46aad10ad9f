/**
 * The temp file a pull fills: sized up front, verified chunks written at their
 * offsets (all-zero chunks left as holes), and the written chunks recorded as
 * verified in the index in groups, so a pull killed at any moment resumes
 * without fetching them again. Its chunk list came from the version's root, and
 * every chunk was verified before it was written, so complete() checks only
 * that every chunk of the list landed and the size is right: the bytes are not
 * hashed a second time.
 */
import { constants as fsConstants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { ErrorCode, LeftsyncError, fromSystemError } from '../errors.js';
import { CHUNK_SIZES } from '../chunker/params.js';
import { isAllZero, zeroHashOfLength } from '../chunker/zeros.js';
import type { PartialDownload, StoredChunk, SyncIndex } from '../model/entries.js';

/**
 * Verified chunks recorded in the index per transaction (64 chunks are ~4 MiB at
 * the average chunk size: what a kill can cost to fetch again, for 1/64 of the
 * commits a 500 MiB file would need one by one).
 */
const RECORD_GROUP = 64;

/**
 * After this many bytes written since the last flush, the data written so far
 * goes to disk (fdatasync on the thread pool, not awaited) while the pull goes
 * on, so the fsync before the rename (finishTempFile) flushes the last part only:
 * it took 0.19 s for a 500 MiB file written whole (strace of the edit row).
 */
export const EARLY_FLUSH_BYTES = 64 << 20;

/**
 * True for a chunk of maxSize zeros, the chunk every engine cuts a run of zeros
 * into (a sparse file is mostly these): a hash comparison, no bytes read.
 */
export function isZeroChunk(chunk: StoredChunk): boolean {
  return chunk.length === CHUNK_SIZES.maxSize && chunk.hash.equals(zeroHashOfLength(CHUNK_SIZES.maxSize));
}

export class TempFile {
  /** Written but not yet recorded as verified. */
  private unrecorded: StoredChunk[] = [];
  /** Offset -> length of the chunks not yet on disk. */
  private readonly pending: Map<number, number>;
  private closed = false;
  private unflushedBytes = 0;
  /** The early flush under way, if any. */
  private flushing: Promise<void> | null = null;
  /** What an early flush failed with: a writeback error is reported once, so complete() reports it. */
  private flushError: unknown = null;
  /** Early flushes started (tests). */
  flushes = 0;

  private constructor(
    private readonly handle: FileHandle,
    chunks: StoredChunk[],
    private readonly size: number,
    private readonly tempPath: string,
    private readonly partial: PartialDownload,
    private readonly index: SyncIndex,
    private readonly earlyFlushBytes: number,
  ) {
    this.pending = new Map(chunks.map((chunk) => [chunk.offset, chunk.length]));
  }

  /** Opens (or reopens, to resume) the temp file of `partial` for a file of `size` bytes cut into `chunks`. */
  static async open(
    tempPath: string,
    partial: PartialDownload,
    size: number,
    chunks: StoredChunk[],
    index: SyncIndex,
    earlyFlushBytes = EARLY_FLUSH_BYTES,
  ): Promise<TempFile> {
    const handle = await open(tempPath, fsConstants.O_RDWR | fsConstants.O_CREAT, 0o600).catch((err) => {
      throw fromSystemError(err, `open ${tempPath}`);
    });
    try {
      // Sized up front: chunks land at their offsets, and unwritten zero chunks stay holes.
      await handle.truncate(size);
    } catch (err) {
      await handle.close();
      throw fromSystemError(err, `truncate ${tempPath}`);
    }
    return new TempFile(handle, chunks, size, tempPath, partial, index, earlyFlushBytes);
  }

  /** A chunk already on disk from an earlier attempt. */
  resumed(chunk: StoredChunk): void {
    this.landed(chunk);
  }

  /**
   * A chunk of zeros (isZeroChunk): the file is sized with holes, so it is in
   * place already; nothing is read, fetched or written for it.
   */
  hole(chunk: StoredChunk): void {
    this.landed(chunk);
    this.unrecorded.push(chunk);
    if (this.unrecorded.length >= RECORD_GROUP) this.record();
  }

  private landed(chunk: StoredChunk): void {
    if (this.pending.get(chunk.offset) === chunk.length) this.pending.delete(chunk.offset);
  }

  /**
   * Writes verified chunks that are contiguous in the file; `data` covers
   * exactly them, as one buffer or as the chunks' own buffers in order. The
   * chunks' buffers go to one writev as they are: joining them first copied
   * every byte of a cold file once more, into buffers that lived only until the
   * write: garbage that set off the receiver's full collections (see main.ts).
   */
  async writeRun(run: StoredChunk[], data: Buffer | readonly Buffer[]): Promise<void> {
    const parts = Buffer.isBuffer(data) ? [data] : data;
    const length = runLength(data);
    if (!parts.every(isAllZero)) {
      const position = run[0]!.offset;
      const { bytesWritten } = parts.length === 1 ? await this.handle.write(parts[0]!, 0, length, position) : await this.handle.writev(parts, position);
      if (bytesWritten !== length) {
        throw new LeftsyncError(ErrorCode.IO, `${this.tempPath}: short write (${bytesWritten} of ${length} bytes)`);
      }
    }
    // No fsync per chunk: after a process kill the page cache still holds the
    // data; the temp file is fsynced before its rename (finishTempFile).
    this.unflushedBytes += length;
    if (this.unflushedBytes >= this.earlyFlushBytes && this.flushing === null) this.flushEarly();
    for (const chunk of run) {
      this.landed(chunk);
      this.unrecorded.push(chunk);
    }
    if (this.unrecorded.length >= RECORD_GROUP) this.record();
  }

  /**
   * Records the written chunks as verified, one index transaction: a kill loses
   * at most one group's records (those chunks are fetched again), never records
   * a chunk that is not on disk.
   */
  record(): void {
    if (this.unrecorded.length === 0) return;
    const group = this.unrecorded;
    this.unrecorded = [];
    const { index, partial } = this;
    index.batch(() => {
      for (const chunk of group) index.markChunkVerified(partial.tempName, chunk);
    });
  }

  private flushEarly(): void {
    this.unflushedBytes = 0;
    this.flushes++;
    this.flushing = this.handle
      .datasync()
      .catch((err: unknown) => void (this.flushError ??= err))
      .finally(() => (this.flushing = null));
  }

  /** True when every chunk of the list is on disk and the file has its size; closes the file. A failed early flush is thrown (IO). */
  async complete(): Promise<boolean> {
    let size = -1;
    try {
      size = (await this.handle.stat()).size;
    } catch (err) {
      throw fromSystemError(err, `stat ${this.tempPath}`);
    } finally {
      await this.close();
    }
    if (this.flushError !== null) throw fromSystemError(this.flushError, `flush ${this.tempPath}`);
    return this.pending.size === 0 && size === this.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Never closed under a flush of its own.
    await this.flushing;
    await this.handle.close();
    // What this file wrote may not be on disk, and having reported the error once the kernel would not tell a later
    // fsync: its recorded chunks are forgotten (taken again), and the pull that called complete() fails.
    if (this.flushError !== null) this.index.dropPartial(this.partial.tempName);
  }
}

/** Bytes in a run's data (one buffer or the chunks' buffers). */
export function runLength(data: Buffer | readonly Buffer[]): number {
  if (Buffer.isBuffer(data)) return data.length;
  let length = 0;
  for (const part of data) length += part.length;
  return length;
}
