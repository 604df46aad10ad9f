/**
 * The temp file a pull fills: sized up front, verified chunks written at their
 * offsets (all-zero chunks left as holes), the whole-file digest followed from
 * disk while chunks land, and the written chunks recorded as verified in the
 * index in groups, so a pull killed at any moment resumes without fetching
 * them again.
 */
import { constants as fsConstants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { ErrorCode, LeftsyncError, fromSystemError } from '../errors.js';
import type { PartialDownload, StoredChunk, SyncIndex } from '../model/entries.js';
import { DigestFollower } from './digest-follower.js';

/**
 * Verified chunks recorded in the index per transaction (64 chunks are ~4 MiB at
 * the average chunk size: what a kill can cost to fetch again, for 1/64 of the
 * commits a 500 MiB file would need one by one).
 */
const RECORD_GROUP = 64;

/** Compared against slice by slice; never written to. */
const ZEROS = Buffer.alloc(64 * 1024);

function isAllZero(data: Buffer): boolean {
  for (let at = 0; at < data.length; at += ZEROS.length) {
    const slice = data.subarray(at, Math.min(data.length, at + ZEROS.length));
    if (!slice.equals(ZEROS.subarray(0, slice.length))) return false;
  }
  return true;
}

export class TempFile {
  /** Written but not yet recorded as verified. */
  private unrecorded: StoredChunk[] = [];
  private readonly chunkIndex: Map<number, number>;
  private closed = false;

  private constructor(
    private readonly handle: FileHandle,
    private readonly follower: DigestFollower,
    chunks: StoredChunk[],
    private readonly tempPath: string,
    private readonly partial: PartialDownload,
    private readonly index: SyncIndex,
  ) {
    this.chunkIndex = new Map(chunks.map((chunk, i) => [chunk.offset, i]));
  }

  /** Opens (or reopens, to resume) the temp file of `partial` for a file of `size` bytes cut into `chunks`. */
  static async open(tempPath: string, partial: PartialDownload, size: number, chunks: StoredChunk[], index: SyncIndex): Promise<TempFile> {
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
    // The whole-file digest is computed from disk while chunks arrive, following the written prefix.
    const follower = new DigestFollower(handle, size, chunks.map((chunk) => chunk.offset));
    return new TempFile(handle, follower, chunks, tempPath, partial, index);
  }

  /** A chunk already on disk from an earlier attempt. */
  resumed(chunk: StoredChunk): void {
    this.follower.written(this.chunkIndex.get(chunk.offset)!);
  }

  /** Writes verified chunks that are contiguous in the file; `data` covers exactly them. */
  async writeRun(run: StoredChunk[], data: Buffer): Promise<void> {
    if (!isAllZero(data)) {
      const { bytesWritten } = await this.handle.write(data, 0, data.length, run[0]!.offset);
      // The digest follower may hash these bytes from memory: they must all be on disk.
      if (bytesWritten !== data.length) {
        throw new LeftsyncError(ErrorCode.IO, `${this.tempPath}: short write (${bytesWritten} of ${data.length} bytes)`);
      }
    }
    // No fsync per chunk: after a process kill the page cache still holds the
    // data; a power cut is caught by the whole-file digest check.
    let at = 0;
    for (const chunk of run) {
      this.follower.written(this.chunkIndex.get(chunk.offset)!, data.subarray(at, at + chunk.length));
      at += chunk.length;
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

  /** The digest of the whole file, once every chunk is written; closes the file. */
  async digest(): Promise<Buffer> {
    const digest = await this.follower.digest();
    await this.close();
    return digest;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // No read of the follower may outlive the handle.
    await this.follower.stop();
    await this.handle.close();
  }
}
