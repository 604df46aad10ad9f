import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { decodeFrame, encodeFrame } from '../../src/protocol/frame.js';
import { MAX_CHUNK_PAYLOAD_BYTES } from '../../src/protocol/limits.js';
import type { ChunkReply } from '../../src/protocol/messages.js';
import { chunkReplyFrameLength, encodeChunkReplyFrame } from '../../src/transport/chunk-reply-frame.js';

const bytes = (n: number) => randomBytes(n) as unknown as Uint8Array<ArrayBuffer>;

function reply(fields: Partial<ChunkReply>): ChunkReply {
  return { requestId: 1, hash: bytes(32), compressed: false, payload: bytes(10), errorCode: '', index: 0, ...fields };
}

const cases: Array<[string, ChunkReply]> = [
  ['small raw payload', reply({})],
  ['compressed payload', reply({ compressed: true, payload: bytes(300) })],
  ['request id 127 (one-byte varint)', reply({ requestId: 127 })],
  ['request id 128 (two-byte varint)', reply({ requestId: 128 })],
  ['request id 2^32-1', reply({ requestId: 0xffffffff })],
  ['payload of 127 bytes', reply({ payload: bytes(127) })],
  ['payload of 128 bytes', reply({ payload: bytes(128) })],
  ['payload of 16,384 bytes (3-byte length)', reply({ payload: bytes(16_384) })],
  ['64 KiB payload', reply({ payload: bytes(65_536) })],
  ['largest payload', reply({ payload: bytes(MAX_CHUNK_PAYLOAD_BYTES), compressed: true })],
  ['VERSION_GONE with an empty payload', reply({ payload: bytes(0), errorCode: 'LS_VERSION_GONE' })],
  ['want index 1', reply({ index: 1 })],
  ['want index 255 (two-byte varint)', reply({ index: 255, errorCode: 'LS_VERSION_GONE', payload: bytes(0) })],
];

for (const [name, value] of cases) {
  test(`chunk reply frame is byte-for-byte the generated encoding: ${name}`, () => {
    const expected = Buffer.from(encodeFrame({ chunkReply: value }));
    assert.equal(chunkReplyFrameLength(value), expected.length);
    const target = Buffer.alloc(expected.length + 50, 0xee);
    const encoded = encodeChunkReplyFrame(value, target);
    assert.deepEqual(Buffer.from(encoded), expected);
    // And the receiving side reads it back as the same reply.
    const decoded = decodeFrame(encoded).chunkReply!;
    assert.equal(decoded.requestId, value.requestId);
    assert.equal(decoded.compressed, value.compressed);
    assert.equal(decoded.errorCode, value.errorCode);
    assert.deepEqual(Buffer.from(decoded.hash), Buffer.from(value.hash));
    assert.deepEqual(Buffer.from(decoded.payload), Buffer.from(value.payload));
  });
}

test('a reused buffer carries no bytes of the previous frame into the next', () => {
  const target = Buffer.alloc(MAX_CHUNK_PAYLOAD_BYTES + 1024);
  encodeChunkReplyFrame(reply({ payload: bytes(200_000) }), target);
  const small = reply({ payload: bytes(5) });
  assert.deepEqual(Buffer.from(encodeChunkReplyFrame(small, target)), Buffer.from(encodeFrame({ chunkReply: small })));
});
