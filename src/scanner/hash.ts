/** Reads a file and computes its chunk signature with bounded memory. */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { HashPool, type ChunksHashed } from '../chunker/hash-pool.js';
import { signStream } from '../chunker/sign.js';
import { type ChunkerParams, type FileSignature } from '../chunker/types.js';

export const READ_SLICE = 1 << 20;
/** Smallest read buffer (also what a file that grew past its lstat size is read with). */
const MIN_SLICE = 16 << 10;

/**
 * Yields the file's bytes through one reused buffer: signStream is done with each
 * slice before it asks for the next, so nothing piles up for the GC (a fresh
 * 1 MiB buffer per read, as createReadStream does, is ~500 MB of garbage for a
 * 500 MB file, and 10 GB for 10,000 small files).
 */
export async function* readSlices(handle: FileHandle, bufferSize: number): AsyncGenerator<Buffer> {
  const buffer = Buffer.allocUnsafe(bufferSize);
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, bufferSize, null);
    if (bytesRead === 0) return;
    yield buffer.subarray(0, bytesRead);
  }
}

/**
 * Files at least this large are signed on two cores (HashPool); below it, a
 * worker round trip costs more than it saves.
 */
export const POOL_MIN_BYTES = 8 << 20;

let pool: HashPool | null = null;

/**
 * A sparse file's holes are zero chunks, which cost a memcmp, not a hash
 * (chunker/zeros.ts): there is nothing for a worker to do but wait for
 * messages, so such a file is signed on the main thread.
 */
async function mostlyHoles(handle: FileHandle): Promise<boolean> {
  const stats = await handle.stat();
  return stats.blocks * 512 < stats.size / 2;
}

/**
 * The signature of the file at `absPath`, read in slices of at most 1 MiB;
 * `expectedSize` (from lstat) keeps the buffer small for small files.
 * O_NOFOLLOW: if the path was swapped for a symlink since it was lstat'ed, the
 * open fails (ELOOP) instead of reading the link's target, which may lie outside
 * the share. `onChunks` sees the chunks as they are hashed, in file order
 * (streaming sync); a promise it returns slows the reading down.
 */
export async function hashFile(absPath: string, params: ChunkerParams, expectedSize = READ_SLICE, onChunks?: ChunksHashed): Promise<FileSignature> {
  const handle = await open(absPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    if (expectedSize >= POOL_MIN_BYTES && !(await mostlyHoles(handle))) {
      pool ??= new HashPool();
      return await pool.sign(async (buffer) => (await handle.read(buffer, 0, buffer.length, null)).bytesRead, params, READ_SLICE, onChunks);
    }
    const bufferSize = Math.max(MIN_SLICE, Math.min(READ_SLICE, expectedSize + 1));
    return await signStream(readSlices(handle, bufferSize), params, onChunks && ((chunk) => onChunks([chunk])), false);
  } finally {
    await handle.close();
  }
}
