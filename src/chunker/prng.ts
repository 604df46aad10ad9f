/**
 * A small deterministic PRNG (splitmix32). Used for the gear table, so boundaries
 * are the same on every machine, and by the fixture generator. Not for secrets.
 */
export function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Fills `out` with pseudo-random bytes from `next`, four at a time. */
export function fillRandom(out: Uint8Array, next: () => number): Uint8Array {
  const words = Math.floor(out.length / 4);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < words; i++) view.setUint32(i * 4, next(), true);
  for (let i = words * 4; i < out.length; i++) out[i] = next() & 0xff;
  return out;
}
