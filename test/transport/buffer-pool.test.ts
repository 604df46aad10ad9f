import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferPool, GRANULE } from '../../src/transport/buffer-pool.js';

test('a buffer given back is handed out again for a request of the same size class', () => {
  const pool = new BufferPool(4 * GRANULE);
  const first = pool.take(1000);
  assert.equal(first.length, 1000);
  first.fill(7);
  pool.give(first);
  assert.equal(pool.bytesFree, GRANULE);
  const again = pool.take(GRANULE);
  assert.equal(again.length, GRANULE);
  assert.equal(again.buffer, first.buffer, 'the same block');
  assert.equal(pool.bytesFree, 0);
  // Another size class gets a block of its own.
  const larger = pool.take(GRANULE + 1);
  assert.notEqual(larger.buffer, first.buffer);
  assert.equal(larger.buffer.byteLength, 2 * GRANULE);
});

test('two takers never share a block, even when one buffer is given back twice', () => {
  const pool = new BufferPool(8 * GRANULE);
  const buffer = pool.take(5000);
  pool.give(buffer);
  pool.give(buffer);
  assert.equal(pool.bytesFree, GRANULE);
  const a = pool.take(5000);
  const b = pool.take(5000);
  assert.notEqual(a.buffer, b.buffer);
});

test('the pool keeps at most its limit free, and ignores buffers it did not make', () => {
  const pool = new BufferPool(2 * GRANULE);
  const taken = [pool.take(100), pool.take(100), pool.take(100)];
  for (const buffer of taken) pool.give(buffer);
  assert.equal(pool.bytesFree, 2 * GRANULE, 'the third is left to the collector');
  pool.take(100);
  pool.give(Buffer.alloc(GRANULE).subarray(1));
  pool.give(Buffer.alloc(10));
  assert.equal(pool.bytesFree, GRANULE);
});
