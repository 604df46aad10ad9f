/**
 * LZ4 block codec for chunks on the wire. A compressed payload is a 4-byte
 * big-endian uncompressed size followed by an LZ4 block; a chunk LZ4 cannot
 * shrink travels raw, flagged by compressed=false. The declared size is checked
 * against the caller's maximum before anything is allocated, and decoding uses
 * LZ4's bounds-checked decoder, so hostile input is an error, not a crash.
 */
import lz4 from 'lz4';
import { ErrorCode, LeftsyncError } from '../errors.js';

const SIZE_PREFIX = 4;

export interface EncodedChunk {
  compressed: boolean;
  payload: Buffer;
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Where blocks are compressed before the useful part is copied out. Encoding is
 * synchronous, so one buffer serves every call; a fresh 64 KiB+ buffer per chunk
 * cost more than compressing it (page faults), and incompressible chunks (most
 * of a large binary) then allocate nothing at all.
 */
let scratch = Buffer.alloc(0);

export function encodeChunk(data: Uint8Array): EncodedChunk {
  const input = asBuffer(data);
  if (input.length === 0) return { compressed: false, payload: input };
  const bound = SIZE_PREFIX + lz4.encodeBound(input.length);
  if (scratch.length < bound) scratch = Buffer.allocUnsafe(bound);
  const written = lz4.encodeBlock(input, scratch, SIZE_PREFIX);
  // 0 means LZ4 found nothing to gain; a block not smaller than the data is no gain either.
  if (written <= 0 || SIZE_PREFIX + written >= input.length) return { compressed: false, payload: input };
  scratch.writeUInt32BE(input.length, 0);
  // Copied out: the scratch buffer is reused by the next call.
  return { compressed: true, payload: Buffer.from(scratch.subarray(0, SIZE_PREFIX + written)) };
}

/**
 * The chunk a payload carries. With `into`, a chunk of exactly its length is
 * decoded (or copied) there and `into` returned; a chunk of another length is
 * returned as it would be without it (for the caller's length check to refuse).
 */
export function decodeChunk(payload: Uint8Array, compressed: boolean, maxSize: number, into?: Buffer): Buffer {
  const input = asBuffer(payload);
  if (!compressed) {
    if (input.length > maxSize) {
      throw new LeftsyncError(ErrorCode.CODEC_TOO_LARGE, `raw chunk of ${input.length} bytes exceeds the maximum of ${maxSize}`);
    }
    if (into === undefined || into.length !== input.length) return input;
    input.copy(into);
    return into;
  }
  if (input.length <= SIZE_PREFIX) {
    throw new LeftsyncError(ErrorCode.CODEC_CORRUPT, `compressed chunk of ${input.length} bytes is too short`);
  }
  const declared = input.readUInt32BE(0);
  if (declared > maxSize) {
    throw new LeftsyncError(ErrorCode.CODEC_TOO_LARGE, `compressed chunk declares ${declared} bytes, above the maximum of ${maxSize}`);
  }
  if (declared === 0) {
    throw new LeftsyncError(ErrorCode.CODEC_CORRUPT, 'compressed chunk declares size 0');
  }
  const out = into !== undefined && into.length === declared ? into : Buffer.allocUnsafe(declared);
  const written = lz4.decodeBlock(input.subarray(SIZE_PREFIX), out);
  if (written !== declared) {
    throw new LeftsyncError(
      ErrorCode.CODEC_CORRUPT,
      written < 0 ? 'compressed chunk is corrupt' : `compressed chunk decoded to ${written} bytes, declared ${declared}`,
    );
  }
  return out;
}
