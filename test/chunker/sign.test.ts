import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkerParams } from '../../src/chunker/params.js';
import { signBuffer, signStream } from '../../src/chunker/sign.js';
import { type EngineId } from '../../src/chunker/types.js';
import type { StoredChunk } from '../../src/model/entries.js';
import { randomBytes } from '../../fixtures/cases.js';
import { MiB, assertValidSignature, sha256, unevenSlices } from './helpers.js';

const ENGINES: EngineId[] = ['fastcdc', 'rabin'];

for (const engine of ENGINES) {
  const params = chunkerParams(engine);

  test(`${engine}: chunks cover the input, respect min/max, and carry correct hashes`, async () => {
    const data = randomBytes(6 * MiB + 12345, 101);
    const sig = await signBuffer(data, params);
    assertValidSignature(sig, data, params);
    assert.ok(sig.chunks.length >= 20, `about 64 KiB average: ${sig.chunks.length} chunks for 6 MiB`);
  });

  test(`${engine}: boundaries do not depend on how the stream is sliced`, async () => {
    const data = randomBytes(3 * MiB, 102);
    const reference = await signBuffer(data, params, 4 * MiB);
    for (const sizes of [[1 << 12], [7, 65536, 333, 262145], [MiB + 1, 17]]) {
      assert.deepEqual(await signStream(unevenSlices(data, sizes), params), reference, `slices ${sizes.join(',')}`);
    }
  });

  test(`${engine}: one byte at a time gives the same chunks`, async () => {
    const data = randomBytes(300_000, 108);
    assert.deepEqual(await signStream(unevenSlices(data, [1]), params), await signBuffer(data, params));
  });

  test(`${engine}: an all-zero stream is cut into equal chunks that share one hash`, async () => {
    const data = Buffer.alloc(3 * params.maxSize + 5);
    const sig = await signBuffer(data, params);
    const body = sig.chunks.slice(0, -1);
    assert.ok(body.length >= 3);
    assert.equal(new Set(body.map((c) => c.length)).size, 1);
    assert.equal(new Set(body.map((c) => c.hash.toString('hex'))).size, 1);
    // FastCDC's gear hash never matches its mask on zeros, so it cuts at maxSize;
    // rabin's fingerprint of zeros is 0, which matches, so it cuts at minSize.
    assert.equal(body[0]!.length, engine === 'fastcdc' ? params.maxSize : params.minSize);
  });
}

test('an empty stream has no chunks and the SHA-256 of nothing', async () => {
  const sig = await signBuffer(Buffer.alloc(0), chunkerParams());
  assert.deepEqual(sig, { size: 0, digest: sha256(Buffer.alloc(0)), chunks: [] });
});

test('input below the minimum chunk size is one chunk', async () => {
  const data = randomBytes(1000, 103);
  const sig = await signBuffer(data, chunkerParams());
  assert.equal(sig.chunks.length, 1);
  assert.deepEqual(sig.chunks[0], { offset: 0, length: 1000, hash: sha256(data) });
});

test('plain Uint8Array input gives the same signature as Buffer input', async () => {
  const data = randomBytes(500_000, 104);
  const plain = new Uint8Array(data);
  assert.deepEqual(await signBuffer(plain, chunkerParams()), await signBuffer(data, chunkerParams()));
});

test('onChunk sees every chunk with its bytes, in order, and is awaited before the next', async () => {
  const data = randomBytes(2 * MiB + 99, 105);
  const seen: StoredChunk[] = [];
  let inFlight = 0;
  const sig = await signStream(unevenSlices(data, [5000, 70000]), chunkerParams(), async (chunk, bytes) => {
    assert.equal(inFlight, 0, 'previous onChunk finished');
    inFlight++;
    assert.equal(bytes.length, chunk.length);
    assert.deepEqual(bytes, data.subarray(chunk.offset, chunk.offset + chunk.length));
    await new Promise((resolve) => setImmediate(resolve));
    seen.push(chunk);
    inFlight--;
  });
  assert.deepEqual(seen, sig.chunks);
});

test('a source that reuses one buffer for every read still yields correct chunk bytes', async () => {
  const data = randomBytes(MiB, 106);
  async function* reusing(): AsyncGenerator<Uint8Array> {
    const scratch = Buffer.alloc(10_000);
    for (let from = 0; from < data.length; from += scratch.length) {
      const n = data.copy(scratch, 0, from, Math.min(data.length, from + scratch.length));
      yield scratch.subarray(0, n);
    }
  }
  const bytesOk: boolean[] = [];
  const sig = await signStream(reusing(), chunkerParams(), (chunk, bytes) => {
    bytesOk.push(sha256(bytes).equals(chunk.hash));
  });
  assert.deepEqual(sig, await signBuffer(data, chunkerParams()));
  assert.ok(bytesOk.length > 1 && bytesOk.every(Boolean));
});

test('an error thrown by onChunk rejects signStream', async () => {
  const data = randomBytes(MiB, 107);
  await assert.rejects(
    signStream(unevenSlices(data, [65536]), chunkerParams(), () => {
      throw new Error('sink full');
    }),
    /sink full/,
  );
});
