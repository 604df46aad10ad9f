/**
 * What a sync would put on the wire for one file version: the chunks the
 * receiver lacks, each distinct chunk once (as diffSignatures counts them),
 * really LZ4-compressed with the wire codec. Used by `leftsync diff` and by the
 * fixture goldens, so both report the same figure.
 */
import { hashKey } from '../chunker/diff.js';
import { type ChunkSink } from '../chunker/sign.js';
import { type FileSignature } from '../chunker/types.js';
import { encodeChunk } from '../codec/lz4.js';

/**
 * Runs `sign` (a signStream or signFile call over the wanted version) with a
 * sink that weighs every chunk `have` does not hold. Returns the wanted
 * signature and the compressed bytes of its missing chunks.
 */
export async function signMeasuringMissing(
  have: FileSignature,
  sign: (onChunk: ChunkSink) => Promise<FileSignature>,
): Promise<{ want: FileSignature; bytesLz4: number }> {
  const held = new Set(have.chunks.map((c) => hashKey(c.hash)));
  let bytesLz4 = 0;
  const want = await sign((chunk, bytes) => {
    const key = hashKey(chunk.hash);
    if (held.has(key)) return;
    held.add(key);
    bytesLz4 += encodeChunk(bytes).payload.length;
  });
  return { want, bytesLz4 };
}
