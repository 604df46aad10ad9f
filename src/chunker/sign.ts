/**
 * Streams a file's bytes through a boundary scanner and SHA-256, producing its
 * signature. Each byte is hashed once, for its chunk: the file's identity is
 * the root of the tree over the chunk list (fileRoot), not a second pass over
 * the bytes. Memory is bounded by one input buffer plus one open chunk: the
 * file is never held whole.
 */
import { createHash, type Hash } from 'node:crypto';
import { createBoundaryScanner } from './engines.js';
import { fileRoot } from './tree.js';
import { zeroChunkHash } from './zeros.js';
import type { ChunkerParams, FileSignature } from './types.js';
import type { StoredChunk } from '../model/entries.js';

export type ChunkSink = (chunk: StoredChunk, bytes: Buffer) => void | Promise<void>;

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Streams bytes, returns the signature. onChunk (optional) sees each chunk with
 * its bytes in order and is awaited, so a caller can write/forward chunks with
 * bounded memory. `bytes` may be a view into a buffer the source yielded.
 */
export async function signStream(
  source: AsyncIterable<Uint8Array>,
  params: ChunkerParams,
  onChunk?: ChunkSink,
): Promise<FileSignature> {
  const scanner = await createBoundaryScanner(params);
  const chunks: StoredChunk[] = [];
  let chunkStart = 0;
  // The open chunk (begun in an earlier buffer): its running hash and, only
  // when onChunk wants bytes, copies of its earlier parts.
  let openHash: Hash | null = null;
  let openParts: Buffer[] = [];

  /** Closes the open chunk at stream offset `end`; `tail` is its part in the current buffer. */
  const closeChunk = async (tail: Buffer, end: number): Promise<void> => {
    let hash: Buffer;
    let bytes = tail;
    if (openHash === null) {
      hash = zeroChunkHash(tail) ?? createHash('sha256').update(tail).digest();
    } else {
      hash = openHash.update(tail).digest();
      if (onChunk) bytes = Buffer.concat([...openParts, tail]);
      openHash = null;
      openParts = [];
    }
    const chunk: StoredChunk = { offset: chunkStart, length: end - chunkStart, hash };
    chunks.push(chunk);
    chunkStart = end;
    if (onChunk) await onChunk(chunk, bytes);
  };

  let streamOffset = 0;
  for await (const piece of source) {
    const buf = asBuffer(piece);
    if (buf.length === 0) continue;
    let pos = 0;
    for (const end of scanner.push(buf)) {
      const rel = end - streamOffset;
      await closeChunk(buf.subarray(pos, rel), end);
      pos = rel;
    }
    if (pos < buf.length) {
      const rest = buf.subarray(pos);
      openHash ??= createHash('sha256');
      openHash.update(rest);
      // Copied: the source may reuse its buffer for the next read.
      if (onChunk) openParts.push(Buffer.from(rest));
    }
    streamOffset += buf.length;
  }
  if (streamOffset > chunkStart) {
    await closeChunk(Buffer.alloc(0), streamOffset);
  }
  return { size: streamOffset, digest: fileRoot(streamOffset, chunks, params.minSize), chunks };
}

/** Signs an in-memory buffer (tests and small inputs), fed in slices of sliceSize. */
export async function signBuffer(data: Uint8Array, params: ChunkerParams, sliceSize = 1 << 20): Promise<FileSignature> {
  return signStream(slices(data, sliceSize), params);
}

export async function* slices(data: Uint8Array, sliceSize: number): AsyncGenerator<Uint8Array> {
  for (let from = 0; from < data.length; from += sliceSize) {
    yield data.subarray(from, Math.min(data.length, from + sliceSize));
  }
}
