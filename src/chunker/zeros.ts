/**
 * Runs of zeros (a sparse file's holes) cost a memcmp instead of a SHA-256:
 * every zero chunk of a length has the same hash, computed once. The engines
 * cut runs of zeros into chunks of maxSize, so the few lengths seen are kept.
 */
import { createHash, type Hash } from 'node:crypto';

const ZEROS = Buffer.alloc(256 * 1024);
const hashes = new Map<number, Buffer>();
const KEPT_LENGTHS = 8;

/** Every byte of `bytes` is zero (a memcmp per 256 KiB; a chunk starting with a non-zero byte costs one comparison). */
export function isAllZero(bytes: Uint8Array): boolean {
  if (bytes.length > 0 && bytes[0] !== 0) return false;
  for (let at = 0; at < bytes.length; at += ZEROS.length) {
    const n = Math.min(ZEROS.length, bytes.length - at);
    if (Buffer.compare(bytes.subarray(at, at + n), ZEROS.subarray(0, n)) !== 0) return false;
  }
  return true;
}

/** Feeds `length` zero bytes to `hash`. */
function updateWithZeros(hash: Hash, length: number): Hash {
  for (let left = length; left > 0; left -= ZEROS.length) hash.update(ZEROS.subarray(0, Math.min(ZEROS.length, left)));
  return hash;
}

/** SHA-256 of `length` zero bytes, from the cache. */
export function zeroHashOfLength(length: number): Buffer {
  let hash = hashes.get(length);
  if (hash === undefined) {
    hash = updateWithZeros(createHash('sha256'), length).digest();
    if (hashes.size >= KEPT_LENGTHS) hashes.delete(hashes.keys().next().value!);
    hashes.set(length, hash);
  }
  return hash;
}

/** SHA-256 of `bytes` when they are all zeros (from the cache), else null: hash them. */
export function zeroChunkHash(bytes: Uint8Array): Buffer | null {
  return bytes.length === 0 || !isAllZero(bytes) ? null : zeroHashOfLength(bytes.length);
}

/**
 * The SHA-256 of one chunk fed in parts (the buffers or slices it spans).
 * While every part is zero nothing is hashed: a chunk that closes as zeros
 * takes its hash from the cache, one that goes on with data has its zeros
 * hashed first.
 */
export class ChunkHash {
  private hash: Hash | null = null;
  private zeros = 0;

  update(part: Uint8Array): this {
    if (this.hash === null && isAllZero(part)) {
      this.zeros += part.length;
    } else {
      this.hash ??= updateWithZeros(createHash('sha256'), this.zeros);
      this.hash.update(part);
    }
    return this;
  }

  digest(): Buffer {
    return this.hash !== null ? this.hash.digest() : zeroHashOfLength(this.zeros);
  }
}
