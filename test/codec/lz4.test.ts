import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeChunk, encodeChunk } from '../../src/codec/lz4.js';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';
import { randomBytes } from '../../fixtures/cases.js';
import { splitmix32 } from '../../src/chunker/prng.js';

const MAX = 256 * 1024;
const text = Buffer.from('leftsync keeps a folder identical on several hosts. '.repeat(2000));
const withCode = (code: string) => (err: unknown) => err instanceof LeftsyncError && err.code === code;

test('compressible data round-trips through a size-prefixed LZ4 block', () => {
  const { compressed, payload } = encodeChunk(text);
  assert.equal(compressed, true);
  assert.ok(payload.length < text.length / 10);
  assert.equal(payload.readUInt32BE(0), text.length);
  assert.deepEqual(decodeChunk(payload, true, MAX), text);
});

test('incompressible data is sent raw and comes back unchanged', () => {
  const data = randomBytes(65536, 401);
  const { compressed, payload } = encodeChunk(data);
  assert.equal(compressed, false);
  assert.deepEqual(payload, data);
  assert.deepEqual(decodeChunk(payload, false, MAX), data);
});

test('an empty chunk and a plain Uint8Array are handled', () => {
  assert.deepEqual(encodeChunk(new Uint8Array(0)), { compressed: false, payload: Buffer.alloc(0) });
  const plain = new Uint8Array(text);
  const { compressed, payload } = encodeChunk(plain);
  assert.equal(compressed, true);
  assert.deepEqual(decodeChunk(new Uint8Array(payload), true, MAX), text);
});

test('a chunk of exactly the maximum size is accepted, one byte more is not', () => {
  const zeros = Buffer.alloc(MAX);
  const { payload } = encodeChunk(zeros);
  assert.deepEqual(decodeChunk(payload, true, MAX), zeros);
  assert.throws(() => decodeChunk(payload, true, MAX - 1), withCode(ErrorCode.CODEC_TOO_LARGE));
  assert.throws(() => decodeChunk(Buffer.alloc(MAX + 1), false, MAX), withCode(ErrorCode.CODEC_TOO_LARGE));
});

test('a huge declared size is refused before allocating', () => {
  const payload = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x10, 0x41]);
  assert.throws(() => decodeChunk(payload, true, MAX), withCode(ErrorCode.CODEC_TOO_LARGE));
});

test('truncated, too short, zero-size and size-mismatched blocks are CODEC_CORRUPT', () => {
  const { payload } = encodeChunk(text);
  assert.throws(() => decodeChunk(payload.subarray(0, payload.length - 5), true, MAX), withCode(ErrorCode.CODEC_CORRUPT));
  assert.throws(() => decodeChunk(payload.subarray(0, 3), true, MAX), withCode(ErrorCode.CODEC_CORRUPT));
  assert.throws(() => decodeChunk(Buffer.from([0, 0, 0, 0, 0]), true, MAX), withCode(ErrorCode.CODEC_CORRUPT));
  const lying = Buffer.from(payload);
  lying.writeUInt32BE(text.length + 1, 0);
  assert.throws(() => decodeChunk(lying, true, MAX), withCode(ErrorCode.CODEC_CORRUPT));
  lying.writeUInt32BE(text.length - 1, 0);
  assert.throws(() => decodeChunk(lying, true, MAX), withCode(ErrorCode.CODEC_CORRUPT));
});

test('fuzz: mutated and random payloads give a LeftsyncError or a block of the declared size, never a crash', () => {
  const next = splitmix32(402);
  const { payload } = encodeChunk(text);
  let errors = 0;
  for (let round = 0; round < 3000; round++) {
    let input: Buffer;
    if (round % 3 === 0) {
      input = randomBytes(4 + (next() % 300), next());
      input.writeUInt32BE(next() % (2 * MAX), 0);
    } else {
      input = Buffer.from(payload.subarray(0, 4 + (next() % (payload.length - 3))));
      for (let flips = 1 + (next() % 4); flips > 0; flips--) input[4 + (next() % (input.length - 4))] = next() & 0xff;
    }
    try {
      const out = decodeChunk(input, true, MAX);
      assert.equal(out.length, input.readUInt32BE(0));
    } catch (err) {
      assert.ok(err instanceof LeftsyncError, String(err));
      assert.ok(err.code === ErrorCode.CODEC_CORRUPT || err.code === ErrorCode.CODEC_TOO_LARGE);
      errors++;
    }
  }
  assert.ok(errors > 1000, `most garbage is rejected (${errors})`);
});

test('a chunk decodes into the place given for it; a chunk of another length is left where it is', () => {
  const place = Buffer.alloc(text.length);
  const { payload } = encodeChunk(text);
  const decoded = decodeChunk(payload, true, MAX, place);
  assert.ok(decoded === place, 'decoded into the place');
  assert.deepEqual(place, text);

  const raw = randomBytes(5000, 402);
  const rawPlace = Buffer.alloc(5000);
  assert.ok(decodeChunk(raw, false, MAX, rawPlace) === rawPlace, 'a raw chunk is copied into its place');
  assert.deepEqual(rawPlace, raw);

  const wrongPlace = Buffer.alloc(4999);
  const other = decodeChunk(raw, false, MAX, wrongPlace);
  assert.ok(other !== wrongPlace && other.length === 5000, 'another length: not copied, so the length check refuses it');
  assert.ok(wrongPlace.every((b) => b === 0));
  assert.equal(decodeChunk(payload, true, MAX, Buffer.alloc(10)).length, text.length);
});
