/**
 * FastCDC (Xia et al., 2016/2020): a gear rolling hash with normalized chunking.
 * The hash is h = (h << 1) + GEAR[byte] in 32 bits, so its top bit depends on the
 * last 32 bytes only; the cut test looks at the top bits. Before minSize no byte
 * is hashed (the skip is what makes FastCDC fast); up to avgSize a stricter mask
 * (more bits) is used, after it a looser one, which narrows the size spread.
 */
import type { BoundaryScanner, ChunkerParams } from './types.js';
import { splitmix32 } from './prng.js';

/** Part of the boundary definition: changing the seed changes every chunk. */
const GEAR_SEED = 0x1ef75e3c;
/** Normalization level: the masks have avgBits + 2 and avgBits - 2 bits. */
const NORMALIZATION = 2;

const GEAR: Int32Array = (() => {
  const next = splitmix32(GEAR_SEED);
  const table = new Int32Array(256);
  for (let i = 0; i < 256; i++) table[i] = next() | 0;
  return table;
})();

/**
 * The hash after 32 or more zero bytes, whatever came before: h -> 2h + GEAR[0]
 * forgets one bit of the past per byte, so it settles on -GEAR[0] (mod 2^32).
 */
const ZERO_FIXED = -GEAR[0]! | 0;
/** Compared against a run of zeros block by block (native memcmp); never written to. */
const ZERO_BLOCK = new Uint8Array(64 * 1024);

/** The index of the first non-zero byte of data[from, stop), or stop. */
function zeroRunEnd(data: Uint8Array, from: number, stop: number): number {
  let i = from;
  while (i < stop) {
    const n = Math.min(ZERO_BLOCK.length, stop - i);
    if (Buffer.compare(data.subarray(i, i + n), ZERO_BLOCK.subarray(0, n)) !== 0) {
      while (data[i] === 0) i++;
      return i;
    }
    i += n;
  }
  return stop;
}

/** A mask of the top `bits` bits of a 32-bit word, as an int32. */
function topBits(bits: number): number {
  return bits >= 32 ? -1 : ~((1 << (32 - bits)) - 1) | 0;
}

export class FastCdcScanner implements BoundaryScanner {
  private readonly min: number;
  private readonly avg: number;
  private readonly max: number;
  private readonly maskStrict: number;
  private readonly maskLoose: number;
  /** Bytes of the open chunk seen so far. */
  private chunkLength = 0;
  private hash = 0;
  /** Stream offset of the first byte of the next push. */
  private streamOffset = 0;

  constructor(params: ChunkerParams) {
    this.min = params.minSize;
    this.avg = params.avgSize;
    this.max = params.maxSize;
    const avgBits = Math.round(Math.log2(params.avgSize));
    this.maskStrict = topBits(avgBits + NORMALIZATION);
    this.maskLoose = topBits(avgBits - NORMALIZATION);
  }

  push(data: Uint8Array): number[] {
    const ends: number[] = [];
    const end = data.length;
    const gear = GEAR;
    let i = 0;
    let len = this.chunkLength;
    let h = this.hash;
    while (i < end) {
      if (len < this.min) {
        // Skip: bytes before minSize never end a chunk, so they are not hashed.
        const skip = Math.min(this.min - len, end - i);
        i += skip;
        len += skip;
        if (len < this.min) break;
        h = 0;
      }
      let cut = -1;
      if (len < this.avg) {
        const stop = i + Math.min(this.avg - len, end - i);
        this.hash = h;
        const found = this.scanRange(data, i, stop, this.maskStrict);
        h = this.hash;
        const to = found < 0 ? stop : found;
        len += to - i;
        i = to;
        cut = found;
      }
      if (cut < 0 && len >= this.avg && len < this.max) {
        const stop = i + Math.min(this.max - len, end - i);
        this.hash = h;
        const found = this.scanRange(data, i, stop, this.maskLoose);
        h = this.hash;
        const to = found < 0 ? stop : found;
        len += to - i;
        i = to;
        cut = found;
      }
      if (cut < 0 && len >= this.max) cut = i;
      if (cut >= 0) {
        ends.push(this.streamOffset + cut);
        len = 0;
        h = 0;
      }
    }
    this.chunkLength = len;
    this.hash = h;
    this.streamOffset += end;
    return ends;
  }

  /**
   * Rolls the hash over data[from, stop) until a byte makes (hash & mask) zero.
   * Returns the index just after that byte, or -1 if none; the hash is left in
   * this.hash.
   */
  private scanRange(data: Uint8Array, from: number, stop: number, mask: number): number {
    // A run of zeros (a sparse file's holes) rolls the hash onto ZERO_FIXED, which
    // either cuts at once or never within the run: the run is skipped with memcmp
    // instead of hashed byte by byte, with exactly the same cuts.
    if (data[from] === 0 && (ZERO_FIXED & mask) !== 0 && stop - from > 64) {
      const runEnd = zeroRunEnd(data, from, stop);
      if (runEnd - from >= 32) {
        const found = this.scanBytes(data, from, from + 32, mask);
        if (found >= 0 || runEnd === stop) return found;
        return this.scanBytes(data, runEnd, stop, mask);
      }
    }
    return this.scanBytes(data, from, stop, mask);
  }

  /** scanRange byte by byte. Unrolled by four: it is the hot loop of all of leftsync, and V8 runs it about twice as fast this way. */
  private scanBytes(data: Uint8Array, from: number, stop: number, mask: number): number {
    const gear = GEAR;
    let h = this.hash;
    let i = from;
    const stop4 = stop - 3;
    let found = -1;
    while (i < stop4) {
      h = ((h << 1) + gear[data[i++]!]!) | 0;
      if ((h & mask) === 0) { found = i; break; }
      h = ((h << 1) + gear[data[i++]!]!) | 0;
      if ((h & mask) === 0) { found = i; break; }
      h = ((h << 1) + gear[data[i++]!]!) | 0;
      if ((h & mask) === 0) { found = i; break; }
      h = ((h << 1) + gear[data[i++]!]!) | 0;
      if ((h & mask) === 0) { found = i; break; }
    }
    if (found < 0) {
      for (; i < stop; ) {
        h = ((h << 1) + gear[data[i++]!]!) | 0;
        if ((h & mask) === 0) { found = i; break; }
      }
    }
    this.hash = h;
    return found;
  }
}
