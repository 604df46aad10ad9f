import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';
import { decodeFrame, encodeFrame, encodeFrameUnchecked } from '../../src/protocol/frame.js';
import { MAX_MTIME_MS } from '../../src/protocol/limits.js';
import type { Frame } from '../../src/protocol/messages.js';
import { SAMPLE_FRAMES } from '../../fixtures/protocol/samples.js';

// Regression: int64 with jstype=JS_NUMBER encoded negative values as garbage, so
// one file with an mtime of -1 ms made every Index frame undecodable and other
// pre-1970 times arrived as 1970-01-01.

function rejectsMalformed(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof LeftsyncError && err.code === ErrorCode.PROTO_MALFORMED && pattern.test(err.message));
}

function indexWithMtime(mtimeMs: number): Frame {
  const sample = SAMPLE_FRAMES.index.index!;
  return { index: { ...sample, entries: [{ ...sample.entries[0], mtimeMs }] } };
}

const MTIMES: Array<[string, number]> = [
  ['-1 ms', -1],
  ['-1 s', -1000],
  ['1969-12-31 23:59:59.999', Date.UTC(1969, 11, 31, 23, 59, 59, 999)],
  ['1960', Date.UTC(1960, 5, 15, 12, 30, 45, 678)],
  ['1900', Date.UTC(1900, 0, 1)],
  ['2200', Date.UTC(2200, 0, 1, 0, 0, 0, 7)],
  ['2^32 ms', 2 ** 32],
  ['-2^32 - 1 ms', -(2 ** 32) - 1],
  ['the latest Date', MAX_MTIME_MS],
  ['the earliest Date', -MAX_MTIME_MS],
  ['zero', 0],
];

for (const [name, mtimeMs] of MTIMES) {
  test(`mtime_ms round-trips: ${name}`, () => {
    const frame = indexWithMtime(mtimeMs);
    assert.deepEqual(decodeFrame(encodeFrame(frame)), frame);
  });
}

test('an mtime outside the Date range is refused on both sides', () => {
  for (const mtimeMs of [MAX_MTIME_MS + 1, -MAX_MTIME_MS - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
    rejectsMalformed(() => encodeFrame(indexWithMtime(mtimeMs)), /mtime_ms/);
    rejectsMalformed(() => decodeFrame(encodeFrameUnchecked(indexWithMtime(mtimeMs))), /mtime_ms/);
  }
});

test('every uint64 field round-trips the largest safe integer', () => {
  const max = Number.MAX_SAFE_INTEGER;
  const entry = { ...SAMPLE_FRAMES.index.index!.entries[0], size: max, sequence: max, version: [{ peerId: 'a1', value: max }] };
  const frames: Frame[] = [
    { index: { indexId: 'i', entries: [entry], last: true } },
    { indexRequest: { indexId: 'i', since: max } },
    { chunkRequest: { requestId: 1, wants: [{ ...SAMPLE_FRAMES.chunkRequest.chunkRequest!.wants[0]!, offset: max }] } },
  ];
  for (const frame of frames) assert.deepEqual(decodeFrame(encodeFrame(frame)), frame);
});

/** A varint for a bigint (what a foreign encoder would send for a value above 2^53). */
function varint(value: bigint): number[] {
  const out: number[] = [];
  do {
    let byte = Number(value & 0x7fn);
    value >>= 7n;
    if (value > 0n) byte |= 0x80;
    out.push(byte);
  } while (value > 0n);
  return out;
}

test('a uint64 above the safe range on the wire is refused, not rounded', () => {
  for (const value of [2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n]) {
    // Frame.index_request (field 6) { since (field 2) = value }
    const body = [0x10, ...varint(value)];
    const bytes = Uint8Array.from([0x32, body.length, ...body]);
    assert.throws(() => decodeFrame(bytes), (err: unknown) => err instanceof LeftsyncError && err.code === ErrorCode.PROTO_MALFORMED);
  }
});
