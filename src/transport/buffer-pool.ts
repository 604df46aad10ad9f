/**
 * Buffers for bytes in transit, reused instead of allocated per chunk. V8
 * counts the buffer memory that has grown since its last full collection
 * against the old generation's limit (--trace-incremental-marking: marking
 * started with 11 MB of the heap's slack unused): a 500 MiB transfer that
 * allocated fresh buffers for its reads, frames and received chunks set off a
 * full collection every ~11 MB on each side (39-61 per file, --trace-gc). A
 * reused buffer adds nothing to that count.
 *
 * Sizes are rounded up to a multiple of GRANULE, and each size has its own list
 * of free buffers (last freed, first reused). At most `maxFreeBytes` are kept
 * free; a buffer given back beyond that is left to the collector, and an empty
 * list means a fresh buffer, so a burst is never refused, only less cheap.
 *
 * A buffer given back must not be used again by the giver: the next take()
 * hands the same bytes to someone else.
 */

/** Sizes are rounded up to a multiple of this. */
export const GRANULE = 32 * 1024;

export class BufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  /** The blocks in the lists: a buffer given back twice is listed once, never handed to two takers. */
  private readonly listed = new Set<ArrayBuffer>();
  private freeBytes = 0;

  /** `minBlockBytes`: blocks are at least this large, so requests of varied sizes up to it share one list. */
  constructor(
    private readonly maxFreeBytes: number,
    private readonly minBlockBytes = GRANULE,
  ) {}

  /** A buffer of exactly `bytes` (a view of a pooled block), its contents undefined. */
  take(bytes: number): Buffer {
    const size = this.blockSize(bytes);
    const block = this.free.get(size)?.pop();
    if (block === undefined) return Buffer.from(Buffer.allocUnsafeSlow(size).buffer, 0, bytes);
    this.listed.delete(block);
    this.freeBytes -= size;
    return Buffer.from(block, 0, bytes);
  }

  /** Hands back a buffer that take() returned; anything else is ignored. */
  give(buffer: Buffer): void {
    const block = buffer.buffer;
    const size = block.byteLength;
    if (!(block instanceof ArrayBuffer) || buffer.byteOffset !== 0 || size !== this.blockSize(buffer.length)) return;
    if (this.listed.has(block) || this.freeBytes + size > this.maxFreeBytes) return;
    let list = this.free.get(size);
    if (list === undefined) this.free.set(size, (list = []));
    list.push(block);
    this.listed.add(block);
    this.freeBytes += size;
  }

  private blockSize(bytes: number): number {
    return Math.max(this.minBlockBytes, Math.ceil(bytes / GRANULE) * GRANULE);
  }

  /** Bytes held in free buffers (tests). */
  get bytesFree(): number {
    return this.freeBytes;
  }
}
