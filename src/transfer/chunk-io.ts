/**
 * Bounded reads of single chunks from local files, and chunk hashing. Used by
 * the supplier (to answer requests) and the puller (to reuse local chunks).
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, LeftsyncError, fromSystemError } from '../errors.js';
import { resolveSharePath } from '../fs/paths.js';
import type { ChunkLocation } from '../model/entries.js';
import { MAX_CHUNK_BYTES, MAX_REQUEST_BYTES } from '../protocol/limits.js';

/** Largest chunk we read or accept: the protocol's limit (the chunker's maxSize); largest run one request reads. */
export { MAX_CHUNK_BYTES, MAX_REQUEST_BYTES };

export function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** The error for a file that ended before `end` while a run was read from it (LS_IO). */
export function endsBefore(absPath: string, end: number): LeftsyncError {
  return new LeftsyncError(ErrorCode.IO, `${absPath} ends before ${end}`);
}

/**
 * Exactly `length` bytes at `offset` from an open file; LS_IO if the file is
 * shorter. Lengths above `max` (one chunk, or one request's run) are refused before allocating;
 * `allocate` gives the buffer read into.
 */
export async function readChunkFrom(
  handle: FileHandle,
  absPath: string,
  offset: number,
  length: number,
  max = MAX_CHUNK_BYTES,
  allocate: (bytes: number) => Buffer = Buffer.allocUnsafe,
): Promise<Buffer> {
  if (length > max) throw new LeftsyncError(ErrorCode.PROTO_MALFORMED, `read of ${length} bytes exceeds the maximum of ${max}`);
  const buffer = allocate(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
    if (bytesRead === 0) throw endsBefore(absPath, offset + length);
    filled += bytesRead;
  }
  return buffer;
}

/** Exactly `length` bytes at `offset` of `absPath`; LS_IO if the file is shorter. */
export async function readRange(absPath: string, offset: number, length: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(absPath, 'r');
    return await readChunkFrom(handle, absPath, offset, length);
  } catch (err) {
    throw fromSystemError(err, `read ${absPath}`);
  } finally {
    await handle?.close();
  }
}

/** Where partial downloads live: <stateDir>/tmp. */
export function tempDirOf(stateDir: string): string {
  return path.join(stateDir, 'tmp');
}

/**
 * Reads a chunk from a location the index named and returns it only if it still
 * hashes to `hash` (files change under us); undefined otherwise.
 */
export async function readVerifiedAt(
  location: ChunkLocation,
  hash: Buffer,
  shareDir: string,
  stateDir: string,
): Promise<Buffer | undefined> {
  try {
    const absPath =
      location.kind === 'file'
        ? await resolveSharePath(shareDir, location.path)
        : path.join(tempDirOf(stateDir), path.basename(location.path));
    const data = await readRange(absPath, location.offset, location.length);
    return sha256(data).equals(hash) ? data : undefined;
  } catch {
    return undefined;
  }
}
