/** Shared by the chunker tests (not a test file itself). */
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { buildTree } from '../../src/chunker/tree.js';
import type { ChunkerParams, FileSignature } from '../../src/chunker/types.js';

export const MiB = 1 << 20;

export function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** Feeds `data` in slices whose sizes come from `sizes`, cycling. */
export async function* unevenSlices(data: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let i = 0;
  for (let from = 0; from < data.length; i++) {
    const to = Math.min(data.length, from + sizes[i % sizes.length]!);
    yield data.subarray(from, to);
    from = to;
  }
}

/** The invariants every signature must satisfy, checked against the real bytes. */
export function assertValidSignature(sig: FileSignature, data: Buffer, params: ChunkerParams): void {
  assert.equal(sig.size, data.length);
  // The identity is the root of the tree over the chunk list; below minSize, the bytes' SHA-256.
  assert.deepEqual(sig.digest, data.length < params.minSize ? sha256(data) : buildTree(sig.chunks).root);
  let offset = 0;
  sig.chunks.forEach((c, i) => {
    assert.equal(c.offset, offset, `chunk ${i} starts where the previous ended`);
    assert.ok(c.length > 0, `chunk ${i} is not empty`);
    assert.ok(c.length <= params.maxSize, `chunk ${i} (${c.length}) is at most maxSize`);
    if (i < sig.chunks.length - 1) assert.ok(c.length >= params.minSize, `chunk ${i} (${c.length}) is at least minSize`);
    assert.equal(c.hash.length, 32);
    assert.deepEqual(c.hash, sha256(data.subarray(c.offset, c.offset + c.length)), `chunk ${i} hash`);
    offset += c.length;
  });
  assert.equal(offset, data.length, 'chunks cover the whole input');
}
