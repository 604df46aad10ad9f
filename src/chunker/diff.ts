/** What a receiver must fetch to turn one signature into another. */
import type { FileSignature } from './types.js';
import type { StoredChunk } from '../model/entries.js';

export interface SignatureDiff {
  /** Chunks of `want` the receiver can copy: held already, or a repeat of a chunk fetched earlier. */
  reused: StoredChunk[];
  /** Chunks of `want` to fetch, each distinct hash once, in file order. */
  missing: StoredChunk[];
  bytesMissing: number;
}

export function hashKey(hash: Buffer): string {
  return hash.toString('hex');
}

/** What a receiver holding `have` must fetch to build `want` (chunks by hash). */
export function diffSignatures(have: FileSignature, want: FileSignature): SignatureDiff {
  const held = new Set(have.chunks.map((c) => hashKey(c.hash)));
  const reused: StoredChunk[] = [];
  const missing: StoredChunk[] = [];
  let bytesMissing = 0;
  for (const chunk of want.chunks) {
    const key = hashKey(chunk.hash);
    if (held.has(key)) {
      reused.push(chunk);
    } else {
      held.add(key);
      missing.push(chunk);
      bytesMissing += chunk.length;
    }
  }
  return { reused, missing, bytesMissing };
}
