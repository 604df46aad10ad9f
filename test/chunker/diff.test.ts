import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffSignatures } from '../../src/chunker/diff.js';
import { type FileSignature } from '../../src/chunker/types.js';
import type { StoredChunk } from '../../src/model/entries.js';

/** A signature from chunk "names"; equal names mean equal hashes. */
function sig(...parts: [name: string, length: number][]): FileSignature {
  let offset = 0;
  const chunks: StoredChunk[] = parts.map(([name, length]) => {
    const chunk = { offset, length, hash: Buffer.alloc(32, name) };
    offset += length;
    return chunk;
  });
  return { size: offset, digest: Buffer.alloc(32), chunks };
}

test('chunks held by the receiver are reused, others are missing', () => {
  const d = diffSignatures(sig(['a', 10], ['b', 20], ['c', 30]), sig(['a', 10], ['x', 25], ['c', 30]));
  assert.deepEqual(d.reused.map((c) => c.offset), [0, 35]);
  assert.deepEqual(d.missing.map((c) => [c.offset, c.length]), [[10, 25]]);
  assert.equal(d.bytesMissing, 25);
});

test('a chunk repeated in the wanted file is fetched once', () => {
  const d = diffSignatures(sig(), sig(['z', 100], ['z', 100], ['y', 5], ['z', 100]));
  assert.deepEqual(d.missing.map((c) => c.offset), [0, 200]);
  assert.equal(d.bytesMissing, 105);
  assert.equal(d.reused.length, 2);
});

test('reordered chunks are all reused; an empty wanted file needs nothing', () => {
  const have = sig(['a', 10], ['b', 20], ['c', 30]);
  const d = diffSignatures(have, sig(['c', 30], ['a', 10], ['b', 20]));
  assert.equal(d.missing.length, 0);
  assert.equal(d.reused.length, 3);
  assert.deepEqual(diffSignatures(have, sig()), { reused: [], missing: [], bytesMissing: 0 });
});
