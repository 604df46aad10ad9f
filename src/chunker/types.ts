/**
 * Types shared by the chunking engines and their callers. The parameters object
 * travels in the protocol handshake: peers must agree on all of it.
 */
import type { StoredChunk } from '../model/entries.js';

export type EngineId = 'fastcdc' | 'rabin';

export interface ChunkerParams {
  engine: EngineId;
  hash: 'sha256';
  /** Smallest chunk in bytes (a file's last chunk may be shorter). */
  minSize: number;
  /** Target average chunk size in bytes. */
  avgSize: number;
  /** Largest chunk in bytes; a chunk always fits in one frame. */
  maxSize: number;
}

export interface FileSignature {
  size: number;
  /** The file's identity: the root of its chunk tree (fileRoot in tree.ts). */
  digest: Buffer;
  /** In file order; each `hash` is the chunk's SHA-256. */
  chunks: StoredChunk[];
}

/**
 * A content-defined boundary finder, fed the stream in order. It keeps its own
 * state between calls, so where the caller's buffers begin and end never moves
 * a boundary.
 */
export interface BoundaryScanner {
  /**
   * Scans the next bytes of the stream and returns the absolute stream offsets
   * (ascending) at which chunks end within them. The bytes after the last
   * returned offset belong to a chunk still open; the caller closes it at
   * end of stream.
   */
  push(data: Uint8Array): number[];
}
