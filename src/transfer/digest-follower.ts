/**
 * The whole-file digest of a temp file that is being filled chunk by chunk, out
 * of order. The puller tells it which chunks are on disk; it hashes the file's
 * contiguous written prefix while the rest is still arriving, so once the last
 * chunk lands only the tail is left to hash (re-reading 500 MiB after the
 * transfer cost ~0.5 s of serial time). A chunk that is the very next one to
 * hash is hashed from the bytes just written (the puller checks that every write
 * was complete); everything else (chunks that landed out of order, resumed
 * chunks, holes) is read back from the temp file.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { fromSystemError } from '../errors.js';

/** Bytes per read; the follower waits for this much of the prefix before reading (fewer, larger reads). */
const READ_BYTES = 1 << 20;

export class DigestFollower {
  private readonly hash = createHash('sha256');
  private readonly done: boolean[];
  /** Index of the first chunk not yet known to be on disk. */
  private firstMissing = 0;
  private hashed = 0;
  private wake: (() => void) | null = null;
  private stopped = false;
  private readonly finished: Promise<Buffer>;

  /**
   * `chunkOffsets` are the offsets of the chunks that tile the file, ascending;
   * `buffer` is the read buffer (any size; 1 MiB reads need 1 MiB).
   */
  constructor(
    private readonly handle: FileHandle,
    private readonly size: number,
    private readonly chunkOffsets: readonly number[],
    private readonly buffer: Buffer = Buffer.allocUnsafe(READ_BYTES),
  ) {
    this.done = new Array<boolean>(chunkOffsets.length).fill(false);
    this.finished = this.run();
    // digest() reports a failure; nobody may be waiting yet.
    this.finished.catch(() => undefined);
  }

  /**
   * The chunk with this index (in chunkOffsets) is on disk. `data`, when given,
   * is exactly its bytes as written, so an in-order chunk needs no read-back.
   */
  written(chunkIndex: number, data?: Buffer): void {
    this.done[chunkIndex] = true;
    const offset = this.chunkOffsets[chunkIndex]!;
    const length = (this.chunkOffsets[chunkIndex + 1] ?? this.size) - offset;
    // Only while the reader waits: a read in progress covers the bytes from `hashed` on.
    if (data !== undefined && this.wake !== null && this.hashed === offset && data.length === length) {
      this.hash.update(data);
      this.hashed += length;
    }
    while (this.firstMissing < this.done.length && this.done[this.firstMissing]) this.firstMissing++;
    if (this.wake && (this.readable() - this.hashed >= this.buffer.length || this.readable() === this.size)) {
      this.wakeUp();
    }
  }

  /** SHA-256 of the file; resolves once every chunk was reported written and hashed. */
  digest(): Promise<Buffer> {
    return this.finished;
  }

  /** Stops reading (the pull failed); digest() then rejects. Resolves once no read is pending. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp();
    await this.finished.catch(() => undefined);
  }

  /** Bytes from the start of the file known to be on disk. */
  private readable(): number {
    return this.firstMissing < this.chunkOffsets.length ? this.chunkOffsets[this.firstMissing]! : this.size;
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async run(): Promise<Buffer> {
    while (this.hashed < this.size) {
      const available = this.readable() - this.hashed;
      if (this.stopped) throw new Error('digest follower stopped');
      if (available < this.buffer.length && this.readable() < this.size) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      const length = Math.min(available, this.buffer.length);
      let bytesRead: number;
      try {
        ({ bytesRead } = await this.handle.read(this.buffer, 0, length, this.hashed));
      } catch (err) {
        throw fromSystemError(err, 'read temp file for its digest');
      }
      // Sized up front, so a short read means the file was cut under us: the digest check fails.
      if (bytesRead === 0) break;
      this.hash.update(this.buffer.subarray(0, bytesRead));
      this.hashed += bytesRead;
    }
    return this.hash.digest();
  }
}
