import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LeftsyncError, ErrorCode } from '../../src/errors.js';
import { decodeFrame, encodeFrame } from '../../src/protocol/frame.js';
import { fuzzFrames } from './fuzz-frames.js';

const FUZZ_COUNT = 25_000;

test(`decodeFrame survives ${FUZZ_COUNT} random and mutated frames`, () => {
  let rejected = 0;
  let accepted = 0;
  for (const bytes of fuzzFrames(0x1ef75, FUZZ_COUNT)) {
    let frame;
    try {
      frame = decodeFrame(bytes);
    } catch (err) {
      // Only our stable protocol codes may come out, never a raw RangeError.
      assert.ok(err instanceof LeftsyncError, `non-LeftsyncError thrown: ${String(err)}`);
      assert.ok(err.code === ErrorCode.PROTO_MALFORMED || err.code === ErrorCode.PROTO_TOO_LARGE, err.code);
      rejected++;
      continue;
    }
    // A mutation can land on another valid frame (e.g. a flipped bit in a
    // payload); then it must be fully valid: it re-encodes and decodes the same.
    assert.deepEqual(decodeFrame(encodeFrame(frame)), frame);
    accepted++;
  }
  assert.ok(rejected + accepted >= FUZZ_COUNT);
  // Most hostile input must be refused; a flipped payload bit is legitimately valid.
  assert.ok(rejected > accepted * 2, `rejected ${rejected}, accepted ${accepted}`);
});
