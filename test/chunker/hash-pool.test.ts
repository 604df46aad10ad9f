import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { HashPool } from '../../src/chunker/hash-pool.js';
import { ENGINES, chunkerParams } from '../../src/chunker/params.js';
import { signBuffer } from '../../src/chunker/sign.js';
import { MiB } from './helpers.js';

/** Reads `data` into the pool's buffers, `step` bytes at most per read (uneven reads must not move a boundary). */
function reader(data: Buffer, step: number) {
  let at = 0;
  return async (buffer: Buffer): Promise<number> => {
    const n = Math.min(step, buffer.length, data.length - at);
    data.copy(buffer, 0, at, at + n);
    at += n;
    return n;
  };
}

test('signing on worker threads gives exactly the signature of signStream', async () => {
  const pool = new HashPool(2);
  try {
    const text = Buffer.from('lorem ipsum dolor sit amet '.repeat(200_000));
    const inputs = [Buffer.alloc(0), randomBytes(1000), randomBytes(9 * MiB + 17), text, Buffer.alloc(3 * MiB)];
    for (const engine of ENGINES) {
      const params = chunkerParams(engine);
      for (const data of inputs) {
        const expected = await signBuffer(data, params);
        // Several streams at once share the workers; each keeps its own order.
        const [a, b] = await Promise.all([pool.sign(reader(data, MiB), params, MiB), pool.sign(reader(data, 300_001), params, MiB)]);
        assert.deepEqual(a, expected, `${engine}, ${data.length} bytes`);
        assert.deepEqual(b, expected, `${engine}, ${data.length} bytes, uneven reads`);
      }
    }
  } finally {
    await pool.close();
  }
});

test('a read that fails fails the signature, and the pool keeps working', async () => {
  const pool = new HashPool(1);
  try {
    const params = chunkerParams();
    let reads = 0;
    const failing = async (buffer: Buffer): Promise<number> => {
      if (++reads > 3) throw new Error('disk gone');
      buffer.fill(reads);
      return buffer.length;
    };
    await assert.rejects(pool.sign(failing, params, MiB), /disk gone/);
    const data = randomBytes(2 * MiB);
    assert.deepEqual(await pool.sign(reader(data, MiB), params, MiB), await signBuffer(data, params));
  } finally {
    await pool.close();
  }
});

test('idle workers are ended, and the next signature starts one again', async () => {
  const pool = new HashPool(2, 50);
  try {
    const params = chunkerParams();
    const data = randomBytes(2 * MiB);
    const expected = await signBuffer(data, params);
    assert.deepEqual(await pool.sign(reader(data, MiB), params, MiB), expected);
    assert.equal(pool.workers, 1);
    // A slow reader keeps its worker even when no job is posted for longer than the idle time.
    const slow = reader(data, MiB);
    const signing = pool.sign(async (buffer) => {
      await new Promise((resolve) => setTimeout(resolve, 120));
      return slow(buffer);
    }, params, MiB);
    assert.deepEqual(await signing, expected);
    const deadline = Date.now() + 5000;
    while (pool.workers > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(pool.workers, 0, 'no worker thread left once idle');
    assert.deepEqual(await pool.sign(reader(data, MiB), params, MiB), expected);
  } finally {
    await pool.close();
  }
});
