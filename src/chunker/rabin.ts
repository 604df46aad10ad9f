/**
 * The rabin engine: rabin-wasm (a port of datproject/rabin to AssemblyScript).
 * Slower than FastCDC; kept because the design card names it and peers may
 * choose it.
 */
import { create, type Rabin } from 'rabin-wasm';
import type { BoundaryScanner, ChunkerParams } from './types.js';

/** Bytes in the rolling window (rabin-wasm's default). */
const WINDOW_SIZE = 64;
/**
 * Input is handed to the wasm module in slices of at most this size: it copies
 * each call's bytes into its own memory, so the slice bounds that memory.
 */
const SLICE = 1 << 20;

export class RabinScanner implements BoundaryScanner {
  private chunkStart = 0;

  private constructor(private readonly rabin: Rabin) {}

  static async create(params: ChunkerParams): Promise<RabinScanner> {
    const avgBits = Math.round(Math.log2(params.avgSize));
    const rabin = await create(avgBits, params.minSize, params.maxSize, WINDOW_SIZE);
    return new RabinScanner(rabin);
  }

  push(data: Uint8Array): number[] {
    const ends: number[] = [];
    for (let from = 0; from < data.length; from += SLICE) {
      const lengths = this.rabin.fingerprint(data.subarray(from, Math.min(data.length, from + SLICE)));
      for (const length of lengths) {
        this.chunkStart += length;
        ends.push(this.chunkStart);
      }
    }
    return ends;
  }
}
