/**
 * The one frame that carries bulk data, Frame{chunk_reply}, encoded by hand
 * into a reusable buffer. The generated encoder allocates a fresh buffer per
 * frame and copies the payload in through its writer: for a 500 MB transfer
 * that was ~8,000 fresh 64 KiB allocations (page faults, GC pressure) and about
 * a fifth of the sender's CPU. The bytes are exactly what the generated encoder
 * writes (test/transport/chunk-reply-frame.test.ts compares them), so peers
 * decode them with the generated decoder as any other frame.
 *
 * Wire layout (proto/leftsync.proto): Frame field 12 (chunk_reply), length-
 * delimited, holding ChunkReply fields 1 request_id (varint), 2 hash (bytes),
 * 3 compressed (bool), 4 payload (bytes), 5 error_code (string), 6 index
 * (varint, protocol version 4); proto3 leaves
 * out fields equal to their default, in field order.
 */
import type { ChunkReply } from '../protocol/messages.js';

const FRAME_CHUNK_REPLY_TAG = (12 << 3) | 2;
const TAG_REQUEST_ID = (1 << 3) | 0;
const TAG_HASH = (2 << 3) | 2;
const TAG_COMPRESSED = (3 << 3) | 0;
const TAG_PAYLOAD = (4 << 3) | 2;
const TAG_ERROR_CODE = (5 << 3) | 2;
const TAG_INDEX = (6 << 3) | 0;

function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    length++;
  }
  return length;
}

function writeVarint(target: Buffer, at: number, value: number): number {
  while (value >= 0x80) {
    target[at++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  target[at++] = value;
  return at;
}

/** Byte length of the ChunkReply message body. */
function bodyLength(reply: ChunkReply, errorCodeBytes: number): number {
  let length = 0;
  if (reply.requestId !== 0) length += 1 + varintLength(reply.requestId);
  if (reply.hash.byteLength > 0) length += 1 + varintLength(reply.hash.byteLength) + reply.hash.byteLength;
  if (reply.compressed) length += 2;
  if (reply.payload.byteLength > 0) length += 1 + varintLength(reply.payload.byteLength) + reply.payload.byteLength;
  if (errorCodeBytes > 0) length += 1 + varintLength(errorCodeBytes) + errorCodeBytes;
  if (reply.index !== 0) length += 1 + varintLength(reply.index);
  return length;
}

/** Encoded length of Frame{chunkReply: reply}. */
export function chunkReplyFrameLength(reply: ChunkReply): number {
  const body = bodyLength(reply, Buffer.byteLength(reply.errorCode));
  return 1 + varintLength(body) + body;
}

/**
 * Writes Frame{chunkReply: reply} at the start of `target` (at least
 * chunkReplyFrameLength(reply) bytes) and returns the view of the encoded bytes.
 * The caller validates the frame first, as encodeFrame does.
 */
export function encodeChunkReplyFrame(reply: ChunkReply, target: Buffer): Buffer {
  const errorCodeBytes = Buffer.byteLength(reply.errorCode);
  const body = bodyLength(reply, errorCodeBytes);
  let at = 0;
  target[at++] = FRAME_CHUNK_REPLY_TAG;
  at = writeVarint(target, at, body);
  if (reply.requestId !== 0) {
    target[at++] = TAG_REQUEST_ID;
    at = writeVarint(target, at, reply.requestId);
  }
  if (reply.hash.byteLength > 0) {
    target[at++] = TAG_HASH;
    at = writeVarint(target, at, reply.hash.byteLength);
    target.set(reply.hash, at);
    at += reply.hash.byteLength;
  }
  if (reply.compressed) {
    target[at++] = TAG_COMPRESSED;
    target[at++] = 1;
  }
  if (reply.payload.byteLength > 0) {
    target[at++] = TAG_PAYLOAD;
    at = writeVarint(target, at, reply.payload.byteLength);
    target.set(reply.payload, at);
    at += reply.payload.byteLength;
  }
  if (errorCodeBytes > 0) {
    target[at++] = TAG_ERROR_CODE;
    at = writeVarint(target, at, errorCodeBytes);
    at += target.write(reply.errorCode, at, 'utf8');
  }
  if (reply.index !== 0) {
    target[at++] = TAG_INDEX;
    at = writeVarint(target, at, reply.index);
  }
  return target.subarray(0, at);
}
