import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';
import { decodeFrame, encodeFrame, encodeFrameUnchecked } from '../../src/protocol/frame.js';
import {
  MAX_CHUNK_BYTES,
  MAX_FRAME_BYTES,
  MAX_PATH_BYTES,
  MAX_REQUEST_BYTES,
  MAX_STREAM_CHUNKS_PER_FRAME,
  MAX_TREE_NODE_BYTES,
  MAX_TREE_NODES_PER_FRAME,
  MAX_WANTS_PER_REQUEST,
} from '../../src/protocol/limits.js';
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
  const bad = { treeRequest: { requestId: 1, path: '../x', digest: new Uint8Array(32), nodes: [new Uint8Array(32)] } };
  rejects(() => encodeFrame(bad), ErrorCode.PROTO_MALFORMED);
  rejects(() => encodeFrame({}), ErrorCode.PROTO_MALFORMED);
  const huge = { chunkReply: { requestId: 1, hash: new Uint8Array(32), compressed: false, payload: new Uint8Array(300_000), errorCode: '', index: 0 } };
  rejects(() => encodeFrame(huge), ErrorCode.PROTO_MALFORMED);
});

test('a tree reply of the most nodes of the largest size fits in one frame', () => {
  const nodes = Array.from({ length: MAX_TREE_NODES_PER_FRAME }, () => new Uint8Array(MAX_TREE_NODE_BYTES));
  const bytes = encodeFrame({ treeReply: { requestId: 1, nodes, errorCode: '' } });
  assert.ok(bytes.length < MAX_FRAME_BYTES);
  assert.equal(decodeFrame(bytes).treeReply!.nodes.length, MAX_TREE_NODES_PER_FRAME);
});

test('a tree request names 1 to MAX_TREE_NODES_PER_FRAME hashes of 32 bytes', () => {
  const request = (nodes: Uint8Array<ArrayBuffer>[]) => ({ treeRequest: { requestId: 1, path: 'a', digest: new Uint8Array(32), nodes } });
  rejects(() => encodeFrame(request([])), ErrorCode.PROTO_MALFORMED);
  rejects(() => encodeFrame(request([new Uint8Array(31)])), ErrorCode.PROTO_MALFORMED);
  rejects(() => encodeFrame(request(Array.from({ length: MAX_TREE_NODES_PER_FRAME + 1 }, () => new Uint8Array(32)))), ErrorCode.PROTO_MALFORMED);
  assert.equal(decodeFrame(encodeFrame(request([new Uint8Array(32)]))).treeRequest!.nodes.length, 1);
});

const want = (length: number, path = 'a') => ({ path, digest: new Uint8Array(32), offset: 0, length, hash: new Uint8Array(32) });

test('a chunk request of more wants than MAX_WANTS_PER_REQUEST is refused as too large, on both sides', () => {
  const wants = Array.from({ length: MAX_WANTS_PER_REQUEST + 1 }, () => want(1));
  rejects(() => encodeFrame({ chunkRequest: { requestId: 1, wants } }), ErrorCode.PROTO_TOO_LARGE);
  rejects(() => decodeFrame(encodeFrameUnchecked({ chunkRequest: { requestId: 1, wants } })), ErrorCode.PROTO_TOO_LARGE);
  // Far more: the decoder stops at the cap instead of building every want.
  const flood = Array.from({ length: 20_000 }, () => want(1));
  assert.throws(
    () => decodeFrame(encodeFrameUnchecked({ chunkRequest: { requestId: 1, wants: flood } })),
    (err: unknown) => err instanceof LeftsyncError && err.code === ErrorCode.PROTO_TOO_LARGE && /"wants" had too many elements/.test(err.message),
  );
  assert.equal(decodeFrame(encodeFrame({ chunkRequest: { requestId: 1, wants: wants.slice(1) } })).chunkRequest!.wants.length, MAX_WANTS_PER_REQUEST);
});

test('a chunk reply names a want index below MAX_WANTS_PER_REQUEST', () => {
  const reply = (index: number) => ({ chunkReply: { requestId: 1, hash: new Uint8Array(32), compressed: false, payload: new Uint8Array(1), errorCode: '', index } });
  assert.equal(decodeFrame(encodeFrame(reply(MAX_WANTS_PER_REQUEST - 1))).chunkReply!.index, MAX_WANTS_PER_REQUEST - 1);
  rejects(() => decodeFrame(encodeFrameUnchecked(reply(MAX_WANTS_PER_REQUEST))), ErrorCode.PROTO_MALFORMED);
});

test('a chunk request asking for more than MAX_REQUEST_BYTES is refused as too large, with the limit named', () => {
  const count = MAX_REQUEST_BYTES / MAX_CHUNK_BYTES;
  const atLimit = Array.from({ length: count }, () => want(MAX_CHUNK_BYTES));
  assert.equal(decodeFrame(encodeFrame({ chunkRequest: { requestId: 1, wants: atLimit } })).chunkRequest!.wants.length, count);
  const over = [...atLimit, want(1)];
  assert.throws(
    () => decodeFrame(encodeFrameUnchecked({ chunkRequest: { requestId: 1, wants: over } })),
    (err: unknown) => err instanceof LeftsyncError && err.code === ErrorCode.PROTO_TOO_LARGE && err.message.includes(String(MAX_REQUEST_BYTES)),
  );
});

test('a chunk request of the most wants with the longest paths fits in one frame', () => {
  const wants = Array.from({ length: MAX_WANTS_PER_REQUEST }, (_, i) => want(1, `${'d/'.repeat((MAX_PATH_BYTES - 8) / 2)}${i}`));
  const bytes = encodeFrame({ chunkRequest: { requestId: 1, wants } });
  assert.ok(bytes.length < MAX_FRAME_BYTES, `${bytes.length} bytes`);
});

test('unknown fields are skipped (forward compatibility)', () => {
  const known = encodeFrame(SAMPLE_FRAMES.authOk);
  // field 15, varint 1 appended at the top level
  const withUnknown = Uint8Array.from([...known, 0x78, 0x01]);
  assert.deepEqual(decodeFrame(withUnknown), SAMPLE_FRAMES.authOk);
  assert.ok(encodeFrameUnchecked(SAMPLE_FRAMES.authOk).length === known.length);
});

test('a GrowingFile names chunks inside its size, of valid lengths and 32-byte hashes, at most MAX_STREAM_CHUNKS_PER_FRAME, never both done and abandoned', () => {
  const chunk = { offset: 0, length: 65_536, hash: new Uint8Array(32) };
  const growing = (over: object, chunks = [chunk]) => ({
    growingFile: { path: 'big.bin', streamId: 7, size: 1_000_000, chunks, done: false, abandoned: false, ...over },
  });
  assert.equal(decodeFrame(encodeFrame(growing({}))).growingFile!.chunks.length, 1);
  rejects(() => encodeFrame(growing({ path: '../x' })), ErrorCode.PROTO_MALFORMED);
  rejects(() => encodeFrame(growing({ done: true, abandoned: true })), ErrorCode.PROTO_MALFORMED);
  rejects(() => encodeFrame(growing({}, [{ ...chunk, offset: 999_999 }])), ErrorCode.PROTO_MALFORMED);
  rejects(() => encodeFrame(growing({}, [{ ...chunk, length: 0 }])), ErrorCode.PROTO_MALFORMED);
  rejects(() => encodeFrame(growing({}, [{ ...chunk, length: 300_000 }])), ErrorCode.PROTO_MALFORMED);
  rejects(() => encodeFrame(growing({}, [{ ...chunk, hash: new Uint8Array(31) }])), ErrorCode.PROTO_MALFORMED);
  const many = Array.from({ length: MAX_STREAM_CHUNKS_PER_FRAME + 1 }, () => ({ ...chunk, length: 1 }));
  rejects(() => encodeFrame(growing({}, many)), ErrorCode.PROTO_MALFORMED);
  // The decoder caps the repeated field before validation sees it.
  rejects(() => decodeFrame(encodeFrameUnchecked(growing({}, many))), ErrorCode.PROTO_MALFORMED);
});
