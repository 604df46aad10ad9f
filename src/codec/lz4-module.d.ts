// lz4 0.6.5 ships no TypeScript types; this declares its native block API.
declare module 'lz4' {
  /** Worst-case compressed size of `size` input bytes. */
  export function encodeBound(size: number): number;
  /** Compresses `input` into `output` from startIdx; returns bytes written, 0 if it does not fit/shrink. */
  export function encodeBlock(input: Buffer, output: Buffer, startIdx?: number, endIdx?: number): number;
  /** Decompresses a block (bounds-checked); returns bytes written, negative on corrupt input. */
  export function decodeBlock(input: Buffer, output: Buffer, startIdx?: number, endIdx?: number): number;
  const lz4: { encodeBound: typeof encodeBound; encodeBlock: typeof encodeBlock; decodeBlock: typeof decodeBlock };
  export default lz4;
}
