import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_ENGINE, chunkerParams, sameParams } from '../../src/chunker/params.js';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';

test('default parameters use the default engine, SHA-256 and 16/64/256 KiB sizes', () => {
  assert.equal(DEFAULT_ENGINE, 'fastcdc');
  assert.deepEqual(chunkerParams(), { engine: 'fastcdc', hash: 'sha256', minSize: 16384, avgSize: 65536, maxSize: 262144 });
  assert.equal(chunkerParams('rabin').engine, 'rabin');
});

test('an unknown engine is a LeftsyncError with UNKNOWN_ENGINE naming the known ones', () => {
  assert.throws(
    () => chunkerParams('gzip'),
    (err: unknown) => err instanceof LeftsyncError && err.code === ErrorCode.UNKNOWN_ENGINE && /fastcdc, rabin/.test(err.message),
  );
});

test('sameParams compares every field', () => {
  const a = chunkerParams('fastcdc');
  assert.equal(sameParams(a, chunkerParams('fastcdc')), true);
  assert.equal(sameParams(a, chunkerParams('rabin')), false);
  assert.equal(sameParams(a, { ...a, minSize: a.minSize + 1 }), false);
  assert.equal(sameParams(a, { ...a, avgSize: a.avgSize * 2 }), false);
  assert.equal(sameParams(a, { ...a, maxSize: a.maxSize - 1 }), false);
});
