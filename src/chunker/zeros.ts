/**
 * Runs of zeros (a sparse file's holes) cost a memcmp instead of a SHA-256:
 * every zero chunk of a length has the same hash, computed once. The engines
 * cut runs of zeros into chunks of maxSize, so the few lengths seen are kept.
 */
import { createHash } from 'node:crypto';

const ZEROS = Buffer.alloc(256 * 1024);
const hashes = new Map<number, Buffer>();
const KEPT_LENGTHS = 8;

function isZero(bytes: Uint8Array): boolean {
  for (let at = 0; at < bytes.length; at += ZEROS.length) {
    const n = Math.min(ZEROS.length, bytes.length - at);
    if (Buffer.compare(bytes.subarray(at, at + n), ZEROS.subarray(0, n)) !== 0) return false;
  }
  return true;
}

/** SHA-256 of `bytes` when they are all zeros (from the cache), else null: hash them. */
export function zeroChunkHash(bytes: Uint8Array): Buffer | null {
  // A chunk starting with a non-zero byte is settled by one comparison.
  if (bytes.length === 0 || bytes[0] !== 0 || !isZero(bytes)) return null;
  let hash = hashes.get(bytes.length);
  if (hash === undefined) {
    hash = createHash('sha256').update(bytes).digest();
    if (hashes.size >= KEPT_LENGTHS) hashes.delete(hashes.keys().next().value!);
    hashes.set(bytes.length, hash);
  }
  return hash;
}
