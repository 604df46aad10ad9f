import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { ENGINES, chunkerParams } from '../../src/chunker/params.js';
import { signBuffer, signStream } from '../../src/chunker/sign.js';
import type { StoredChunk } from '../../src/model/entries.js';
import { assertValidSignature, unevenSlices } from './helpers.js';
import { zeroChunkHash } from '../../src/chunker/zeros.js';

/** Random bytes with runs of zeros of every interesting length between them. */
function holey(): Buffer {
  const parts: Buffer[] = [];
  for (const zeros of [1, 31, 32, 33, 100, 20_000, 70_000, 300_000, 1_100_000, 5]) {
    parts.push(randomBytes(10_000 + (zeros % 50_000)), Buffer.alloc(zeros));
  }
  return Buffer.concat(parts);
}

test('runs of zeros skipped by memcmp cut exactly where byte-by-byte scanning cuts', async () => {
  const data = holey();
  for (const engine of ENGINES) {
    const params = chunkerParams(engine);
    // 64-byte slices are too short for the skip: every byte goes through the rolling hash.
    const reference = await signBuffer(data, params, 64);
    assert.deepEqual(await signBuffer(data, params), reference, engine);
    assert.deepEqual(await signBuffer(data, params, 300_001), reference, `${engine}, uneven slices`);
  }
});

test('a zero chunk takes its hash from the cache; anything else is left to SHA-256', () => {
  const zeros = Buffer.alloc(262_144);
  assert.deepEqual(zeroChunkHash(zeros), createHash('sha256').update(zeros).digest());
  assert.deepEqual(zeroChunkHash(zeros), createHash('sha256').update(zeros).digest(), 'cached');
  const almost = Buffer.alloc(262_144);
  almost[200_000] = 1;
  assert.equal(zeroChunkHash(almost), null);
  assert.equal(zeroChunkHash(Buffer.from([1, 0, 0])), null);
  assert.equal(zeroChunkHash(Buffer.alloc(0)), null);
});

test('a chunk spanning reads that is all zeros, or zeros and then data, has the SHA-256 of its bytes', async () => {
  // Zeros first, so chunks begin as zeros in one read and go on in the next.
  const data = Buffer.concat([Buffer.alloc(700_000), holey(), Buffer.alloc(600_001)]);
  for (const engine of ENGINES) {
    const params = chunkerParams(engine);
    for (const sizes of [[64], [65_536, 7], [300_001], [1 << 20]]) {
      const sig = await signStream(unevenSlices(data, sizes), params);
      assertValidSignature(sig, data, params);
      // Without the bytes gathered (the scanner's streaming list), the same chunks as they close.
      const seen: StoredChunk[] = [];
      assert.deepEqual(await signStream(unevenSlices(data, sizes), params, (chunk) => void seen.push(chunk), false), sig, `${engine} ${sizes.join(',')}`);
      assert.deepEqual(seen, sig.chunks);
    }
  }
});
