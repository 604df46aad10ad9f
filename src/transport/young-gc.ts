/**
 * A young-generation collection after every MiB of frames received, when V8's
 * gc() is exposed (the bin's shebang runs node with --expose-gc; anywhere else
 * this does nothing).
 *
 * What arrives on a link is garbage as soon as it is decoded: node hands each
 * TLS record to JavaScript in a buffer of its own (16 KiB), ws joins them into
 * the message's buffer, the frame is decoded out of that. V8 frees such buffers
 * only when it collects the objects that own them, and on its own it forces a
 * collection for them only once ~32 MB are pending (2 x its default maximum
 * semi-space, Heap::AllocateExternalBackingStore); what outlives a scavenge
 * meanwhile counts against the old generation's limit and sets off full
 * collections. The receiver of a cold 500 MiB file (npm run bench's cold row,
 * three alternated runs each way): peak RSS 94-99 MB instead of 103-107, 1.9 CPU-s
 * instead of 2.4-2.6, the row 2.4-2.5 s instead of 2.9-3.0; --trace-gc showed 2
 * full collections instead of 18, and ~370 scavenges more (0.2-0.5 ms each).
 */

/** Collects the young generation (a scavenge): what gc({ type: 'minor' }) does. */
export type CollectYoung = () => void;

/** Bytes received between two collections. */
export const COLLECT_EVERY_BYTES = 1 << 20;

export class YoungCollector {
  private pending = 0;

  constructor(
    private readonly collect: CollectYoung | null = exposedYoungGc(),
    private readonly everyBytes = COLLECT_EVERY_BYTES,
  ) {}

  /** `bytes` more were received (and decoded): collects once a MiB has piled up since the last time. */
  received(bytes: number): void {
    if (this.collect === null) return;
    this.pending += bytes;
    if (this.pending < this.everyBytes) return;
    this.pending = 0;
    this.collect();
  }
}

/** V8's gc() as a young-generation collection, or null when node runs without --expose-gc. */
export function exposedYoungGc(): CollectYoung | null {
  const gc = (globalThis as { gc?: (options: { type: 'minor' | 'major' }) => void }).gc;
  return typeof gc === 'function' ? () => gc({ type: 'minor' }) : null;
}

/** One per process: the buffers are the process's, whichever link they came in on. */
export const receivedGarbage = new YoungCollector();
