// rabin-wasm 0.1.5 ships no TypeScript types; this declares the part leftsync uses.
declare module 'rabin-wasm' {
  export class Rabin {
    readonly bits: number;
    readonly min: number;
    readonly max: number;
    /**
     * Feeds the next bytes of a stream; returns the lengths of the chunks that
     * ended inside them. The fingerprint state carries over to the next call.
     */
    fingerprint(buf: Uint8Array): Int32Array;
  }
  /** avgBits: log2 of the average chunk size; windowSize: bytes in the rolling window. */
  export function create(avgBits: number, min: number, max: number, windowSize: number, polynomial?: number): Promise<Rabin>;
}
