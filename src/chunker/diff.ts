/** What a receiver must fetch to turn one signature into another. */
import { buildTree, treeBytesToFetch } from './tree.js';
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

/**
 * The chunk-tree bytes a receiver holding `have` fetches to learn `want`'s chunk
 * list: the nodes of want's tree that have's tree lacks. Nothing for a file
 * below the smallest chunk: its identity names its one chunk.
 */
export function signatureCost(have: FileSignature, want: FileSignature, minSize: number): { nodes: number; bytes: number } {
  if (want.size < minSize) return { nodes: 0, bytes: 0 };
  return treeBytesToFetch(have.size < minSize ? null : buildTree(have.chunks), buildTree(want.chunks));
}
