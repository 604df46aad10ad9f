/**
 * Seeded choices for randomized tests: one splitmix32 stream, so a seed replays
 * the same sequence of decisions (and of file contents).
 */
import { fillRandom, splitmix32 } from '../../src/chunker/prng.js';

export class Seeded {
  readonly next: () => number;

  constructor(readonly seed: number) {
    this.next = splitmix32(seed);
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + (this.next() % (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() / 2 ** 32 < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick() from an empty list');
    return items[this.next() % items.length]!;
  }

  /** One of the keys, each as likely as its weight. */
  weighted<K extends string>(weights: Record<K, number>): K {
    const entries = Object.entries(weights) as Array<[K, number]>;
    let roll = this.next() % entries.reduce((sum, [, w]) => sum + w, 0);
    for (const [key, weight] of entries) {
      if (roll < weight) return key;
      roll -= weight;
    }
    return entries[entries.length - 1]![0];
  }

  bytes(size: number): Buffer {
    const out = Buffer.alloc(size);
    fillRandom(out, this.next);
    return out;
  }
}
