/**
 * Small files are read and signed with synchronous calls on the main thread.
 * A 4 KiB file costs a handful of syscalls of a few microseconds each; through
 * the promise API each of them is a trip to libuv's thread pool (a futex wake
 * and a callback), several times the cost of the call, and the pool's four
 * threads are shared with the supplier. Files are settled many per event-loop
 * turn, and the loop gets a turn after SYNC_BUDGET_MS of such work so sockets
 * and timers keep running.
 *
 * The checks are those of the streaming path (hash.ts and the scanner): the
 * open does not follow a link swapped in (ELOOP), a file that grew past its
 * lstat size reads longer than that size, and the second lstat after the read
 * tells a file that changed meanwhile (the caller compares it).
 */
import { closeSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { ChunksHashed } from '../chunker/hash-pool.js';
import { createBoundaryScanner } from '../chunker/engines.js';
import { signBytes } from '../chunker/sign.js';
import type { ChunkerParams, FileSignature } from '../chunker/types.js';
import { SYNC_READ_FLAGS } from '../fs/paths.js';
import { hashFile } from './hash.js';

/**
 * Files of at most this size take the synchronous path. Below the smallest
 * chunk (16 KiB) a file is one chunk; up to 64 KiB the chunking of a few chunks
 * still costs well under a millisecond, so one file never holds the loop long.
 */
export const SMALL_FILE_BYTES = 64 << 10;

/** Synchronous work between two turns of the event loop. */
export const SYNC_BUDGET_MS = 4;

/** What a hash of one file found: its signature and its lstat after the read (null: gone by then). */
export interface HashedFile {
  signature: FileSignature;
  after: Stats | null;
}

/**
 * Signs small files synchronously, one reused read buffer for all of them, and
 * yields to the event loop once its budget is spent. One per scan run.
 */
export class SmallHasher {
  /** One byte more than the largest small file: a read that fills it saw the file grow. Made at the first file (most watcher batches hash none). */
  private buffer: Buffer | null = null;
  private since = performance.now();

  constructor(private readonly budgetMs = SYNC_BUDGET_MS) {}

  /** A regular file of this lstat takes the synchronous path. */
  static fits(stats: Stats): boolean {
    return stats.isFile() && stats.size <= SMALL_FILE_BYTES;
  }

  /**
   * The file's signature as hashFile would compute it, and its lstat after the
   * read. Throws as hashFile does: ENOENT (vanished), ELOOP (now a link), EISDIR...
   * A file that is not `size` bytes long any more yields a signature of another size.
   */
  async hash(absPath: string, params: ChunkerParams, size: number): Promise<HashedFile> {
    if (performance.now() - this.since >= this.budgetMs) {
      await new Promise((resolve) => setImmediate(resolve));
      this.since = performance.now();
    }
    const scanner = await createBoundaryScanner(params);
    const data = this.read(absPath, size);
    const signature = signBytes(data, params, scanner);
    let after: Stats | null = null;
    try {
      after = lstatSync(absPath);
    } catch {
      // Gone since the read: the caller skips it this round.
    }
    return { signature, after };
  }

  /**
   * The file's bytes, up to size + 1 of them, as a view into the reused buffer.
   * One read asks for size + 1 bytes: a regular file returns fewer only at its
   * end, so a read that returns `size` bytes saw the end, and one that returns
   * more saw the file grow (no second read that returns 0, as a stream makes).
   */
  private read(absPath: string, size: number): Buffer {
    const buffer = (this.buffer ??= Buffer.allocUnsafe(SMALL_FILE_BYTES + 1));
    const want = Math.min(size + 1, buffer.length);
    // A FIFO opened this way fails the second lstat (see SYNC_READ_FLAGS).
    const fd = openSync(absPath, SYNC_READ_FLAGS);
    try {
      let filled = 0;
      for (;;) {
        const n = readSync(fd, buffer, filled, want - filled, null);
        filled += n;
        if (n === 0 || filled >= want || filled === size) break;
      }
      return buffer.subarray(0, filled);
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * Signs the file lstat'ed as `stats` the way that fits it: synchronously when
 * small, streamed (hashFile, a worker pool for large files) otherwise, or
 * through `options.hashFile` for every file when one is given (tests replace it).
 * A file publishing its chunks while hashed (`onChunks`) is streamed.
 */
export async function hashWithStats(
  small: SmallHasher,
  absPath: string,
  stats: Stats,
  options: { params: ChunkerParams; hashFile?: typeof hashFile },
  onChunks?: ChunksHashed,
): Promise<HashedFile> {
  if (options.hashFile === undefined && onChunks === undefined && SmallHasher.fits(stats)) return small.hash(absPath, options.params, stats.size);
  const signature = await (options.hashFile ?? hashFile)(absPath, options.params, stats.size, onChunks);
  return { signature, after: await lstat(absPath).catch(() => null) };
}
