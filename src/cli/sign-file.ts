/**
 * Signs a file named on the command line (`leftsync chunks`, `leftsync diff`):
 * the chunker takes bytes, so the CLI opens the file and streams it through the
 * scanner's reader. A missing path or a directory is the caller's mistake
 * (BAD_INPUT); a failure while reading is an I/O error.
 */
import { open, stat } from 'node:fs/promises';
import { ErrorCode, LeftsyncError, fromSystemError } from '../errors.js';
import { signStream, type ChunkSink } from '../chunker/sign.js';
import type { ChunkerParams, FileSignature } from '../chunker/types.js';
import { READ_SLICE, readSlices } from '../scanner/hash.js';

/** Read size: big reads are fastest, and boundaries do not depend on it. */
export const READ_BUFFER = READ_SLICE;

async function checkRegularFile(path: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code;
    const why = errno === 'ENOENT' ? 'no such file' : errno === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new LeftsyncError(ErrorCode.BAD_INPUT, `cannot read "${path}": ${why}`, { cause: err });
  }
  if (info.isDirectory()) {
    throw new LeftsyncError(ErrorCode.BAD_INPUT, `"${path}" is a directory, not a file`);
  }
  if (!info.isFile()) {
    throw new LeftsyncError(ErrorCode.BAD_INPUT, `"${path}" is not a regular file`);
  }
}

/**
 * Signs a file by path. onChunk's `bytes` live in the read buffer and are valid
 * only until onChunk returns (or its promise settles): copy them to keep them.
 */
export async function signFile(
  path: string,
  params: ChunkerParams,
  onChunk?: ChunkSink,
  readBuffer: number = READ_BUFFER,
): Promise<FileSignature> {
  await checkRegularFile(path);
  try {
    const handle = await open(path, 'r');
    try {
      return await signStream(readSlices(handle, readBuffer), params, onChunk);
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw fromSystemError(err, `reading "${path}"`);
  }
}
