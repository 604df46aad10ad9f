/** Reads a file as a stream and computes its chunk signature with bounded memory. */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { signStream, type ChunkerParams, type FileSignature } from '../chunker/index.js';

export const READ_SLICE = 1 << 20;
/** Read size once the expected end is reached (only a file that grew reads past it). */
const TAIL_SLICE = 16 << 10;

/**
 * The signature of the file at `absPath`, read in slices of at most 1 MiB.
 * `expectedSize` (from lstat) sizes the reads: a 20-byte file gets a 21-byte
 * buffer, not a 1 MiB one; with 10,000 small files that is the difference between
 * kilobytes and gigabytes of short-lived buffers. O_NOFOLLOW: if the path was
 * swapped for a symlink since it was lstat'ed, the open fails (ELOOP) instead of
 * reading the link's target, which may lie outside the share.
 */
export async function hashFile(absPath: string, params: ChunkerParams, expectedSize = READ_SLICE): Promise<FileSignature> {
  const handle = await open(absPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const highWaterMark = Math.max(TAIL_SLICE, Math.min(READ_SLICE, expectedSize + 1));
    const stream = handle.createReadStream({ highWaterMark, autoClose: false });
    try {
      return await signStream(stream, params);
    } finally {
      stream.destroy();
    }
  } finally {
    await handle.close();
  }
}
