/**
 * Streams a file's bytes through a boundary scanner and SHA-256, producing its
 * signature. Each byte is hashed once, for its chunk: the file's identity is
 * the root of the tree over the chunk list (fileRoot), not a second pass over
 * the bytes. Memory is bounded by one input buffer plus one open chunk: the
 * file is never held whole.
 */
import { createBoundaryScanner } from './engines.js';
import { fileRoot } from './tree.js';
import { ChunkHash } from './zeros.js';
import type { BoundaryScanner, ChunkerParams, FileSignature } from './types.js';
import type { StoredChunk } from '../model/entries.js';

export type ChunkSink = (chunk: StoredChunk, bytes: Buffer) => void | Promise<void>;

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** A chunk closed by a buffer, with its bytes when the caller keeps them. */
interface ClosedChunk {
  chunk: StoredChunk;
  bytes: Buffer;
}

/**
 * The signing itself, synchronous: fed the stream's buffers in order, it
 * cuts and hashes chunks and returns the ones each buffer closed. signStream
 * drives it from an async source; signBytes from one buffer already in memory
 * (the scanner's small files), so both give the same signature by construction.
 */
class Signer {
  readonly chunks: StoredChunk[] = [];
  private chunkStart = 0;
  private streamOffset = 0;
  // The open chunk (begun in an earlier buffer): its running hash (zeros cost
  // nothing until data follows) and, only when the caller wants bytes, copies
  // of its earlier parts.
  private openHash: ChunkHash | null = null;
  private openParts: Buffer[] = [];

  constructor(
    private readonly scanner: BoundaryScanner,
    private readonly keepBytes: boolean,
  ) {}

  /** The chunks that end in `buf`; their bytes may be views into it. */
  push(buf: Buffer): ClosedChunk[] {
    const closed: ClosedChunk[] = [];
    if (buf.length === 0) return closed;
    let pos = 0;
    for (const end of this.scanner.push(buf)) {
      const rel = end - this.streamOffset;
      closed.push(this.close(buf.subarray(pos, rel), end));
      pos = rel;
    }
    if (pos < buf.length) {
      const rest = buf.subarray(pos);
      (this.openHash ??= new ChunkHash()).update(rest);
      // Copied: the source may reuse its buffer for the next read.
      if (this.keepBytes) this.openParts.push(Buffer.from(rest));
    }
    this.streamOffset += buf.length;
    return closed;
  }

  /** Closes the last chunk, if one is open, at the end of the stream. */
  end(): ClosedChunk | null {
    return this.streamOffset > this.chunkStart ? this.close(Buffer.alloc(0), this.streamOffset) : null;
  }

  signature(minSize: number): FileSignature {
    return { size: this.streamOffset, digest: fileRoot(this.streamOffset, this.chunks, minSize), chunks: this.chunks };
  }

  /** Closes the open chunk at stream offset `end`; `tail` is its part in the current buffer. */
  private close(tail: Buffer, end: number): ClosedChunk {
    const hash = (this.openHash ?? new ChunkHash()).update(tail).digest();
    const bytes = this.openHash !== null && this.keepBytes ? Buffer.concat([...this.openParts, tail]) : tail;
    this.openHash = null;
    this.openParts = [];
    const chunk: StoredChunk = { offset: this.chunkStart, length: end - this.chunkStart, hash };
    this.chunks.push(chunk);
    this.chunkStart = end;
    return { chunk, bytes };
  }
}

/**
 * Streams bytes, returns the signature. onChunk (optional) sees each chunk with
 * its bytes in order and is awaited, so a caller can write/forward chunks with
 * bounded memory. `bytes` may be a view into a buffer the source yielded.
 * withBytes false: onChunk only wants the list as it grows, and a chunk's
 * bytes are not gathered from the buffers it spans (`bytes` is then only its
 * part in the last one).
 */
export async function signStream(
  source: AsyncIterable<Uint8Array>,
  params: ChunkerParams,
  onChunk?: ChunkSink,
  withBytes = onChunk !== undefined,
): Promise<FileSignature> {
  const signer = new Signer(await createBoundaryScanner(params), withBytes);
  for await (const piece of source) {
    // The source waits for the next read until this body is done, so views into its buffer stay valid here.
    for (const { chunk, bytes } of signer.push(asBuffer(piece))) if (onChunk) await onChunk(chunk, bytes);
  }
  const last = signer.end();
  if (last !== null && onChunk) await onChunk(last.chunk, last.bytes);
  return signer.signature(params.minSize);
}

/**
 * The signature of bytes held whole, computed synchronously with a boundary
 * scanner fresh from createBoundaryScanner: the same as signStream over them,
 * however the stream would have sliced them.
 */
export function signBytes(data: Uint8Array, params: ChunkerParams, scanner: BoundaryScanner): FileSignature {
  const signer = new Signer(scanner, false);
  signer.push(asBuffer(data));
  signer.end();
  return signer.signature(params.minSize);
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
