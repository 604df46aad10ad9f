import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';
import { decodeFrame, encodeFrame, encodeFrameUnchecked } from '../../src/protocol/frame.js';
import { MAX_FRAME_BYTES } from '../../src/protocol/limits.js';
import { SAMPLE_FRAMES } from '../../fixtures/protocol/samples.js';
import { ruleBreakers } from './fuzz-frames.js';

function rejects(fn: () => unknown, code: string): void {
  assert.throws(fn, (err: unknown) => err instanceof LeftsyncError && err.code === code);
}

for (const { name, bytes } of ruleBreakers()) {
  test(`decodeFrame rejects: ${name}`, () => {
    rejects(() => decodeFrame(bytes), ErrorCode.PROTO_MALFORMED);
  });
}

test('decodeFrame rejects a frame above the size limit before decoding it', () => {
  rejects(() => decodeFrame(new Uint8Array(MAX_FRAME_BYTES + 1)), ErrorCode.PROTO_TOO_LARGE);
  rejects(() => decodeFrame(encodeFrame(SAMPLE_FRAMES.hello), { maxBytes: 16 }), ErrorCode.PROTO_TOO_LARGE);
});

test('encodeFrame refuses what the peer would reject', () => {
  const bad = { chunkListRequest: { requestId: 1, path: '../x', digest: new Uint8Array(32) } };
  rejects(() => encodeFrame(bad), ErrorCode.PROTO_MALFORMED);
  rejects(() => encodeFrame({}), ErrorCode.PROTO_MALFORMED);
  const huge = { chunkReply: { requestId: 1, hash: new Uint8Array(32), compressed: false, payload: new Uint8Array(300_000), errorCode: '' } };
  rejects(() => encodeFrame(huge), ErrorCode.PROTO_MALFORMED);
});

test('a chunk list of a 2 GiB file (32,768 refs) fits in one frame', () => {
  const chunks = Array.from({ length: 32_768 }, (_, i) => ({ offset: i * 65_536, length: 65_536, hash: new Uint8Array(32).fill(i & 0xff) }));
  const frame = { chunkListReply: { requestId: 1, size: 2 ** 31, chunks, errorCode: '' } };
  const bytes = encodeFrame(frame);
  assert.ok(bytes.length < MAX_FRAME_BYTES);
  assert.equal(decodeFrame(bytes).chunkListReply!.chunks.length, 32_768);
});

test('unknown fields are skipped (forward compatibility)', () => {
  const known = encodeFrame(SAMPLE_FRAMES.authOk);
  // field 15, varint 1 appended at the top level
  const withUnknown = Uint8Array.from([...known, 0x78, 0x01]);
  assert.deepEqual(decodeFrame(withUnknown), SAMPLE_FRAMES.authOk);
  assert.ok(encodeFrameUnchecked(SAMPLE_FRAMES.authOk).length === known.length);
});
