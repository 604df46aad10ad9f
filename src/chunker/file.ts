/**
 * Signs a file by path: the one place that turns a path into the byte stream
 * signStream wants. A missing path or a directory is the caller's mistake
 * (BAD_INPUT); a failure while reading is an I/O error.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ErrorCode, LeftsyncError, fromSystemError } from '../errors.js';
import { signStream, type ChunkSink } from './sign.js';
import type { ChunkerParams, FileSignature } from './types.js';

/** Read size: big reads are fastest, and boundaries do not depend on it. */
export const READ_BUFFER = 1 << 20;

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

export async function signFile(
  path: string,
  params: ChunkerParams,
  onChunk?: ChunkSink,
  readBuffer: number = READ_BUFFER,
): Promise<FileSignature> {
  await checkRegularFile(path);
  try {
    return await signStream(createReadStream(path, { highWaterMark: readBuffer }), params, onChunk);
  } catch (err) {
    throw fromSystemError(err, `reading "${path}"`);
  }
}
