/**
 * Signing on two cores: the main thread finds chunk boundaries (FastCDC, the
 * slower half) while worker threads compute the chunks' SHA-256, so a large
 * file costs the time of the slower half instead of the sum. Each stream is
 * hashed by one worker, in order; a bounded number of read buffers per stream
 * is in flight (transferred to the worker and back, never copied), so memory
 * stays at SLICES x sliceSize per file whatever its size. The signature is
 * identical to signStream's.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createBoundaryScanner } from './engines.js';
import type { HashJob, HashResult } from './hash-worker.js';
import { fileRoot } from './tree.js';
import type { ChunkerParams, FileSignature } from './types.js';
import type { StoredChunk } from '../model/entries.js';

/** Read buffers in flight per stream: one being read, the others being hashed. */
const SLICES = 8;
/**
 * A worker with nothing to do for this long is ended: each is a V8 isolate of
 * several MB, and a node that signed one large file at start-up may sign
 * nothing more for hours. Starting one again costs ~30 ms, once per burst.
 */
export const WORKER_IDLE_MS = 10_000;

/** Fills `buffer` from the stream's current position; 0 at its end. */
export type ReadInto = (buffer: Buffer) => Promise<number>;

/**
 * Sees the chunks of a stream as they are hashed, in file order (streaming
 * sync publishes them). A promise it returns holds that slice's read buffer
 * until it settles, so a slow sink slows the reading (bounded memory).
 */
export type ChunksHashed = (chunks: StoredChunk[]) => void | Promise<void>;

interface WorkerSlot {
  worker: Worker;
  /** Per stream, the callbacks of its jobs in the order posted (a worker answers in order). */
  waiting: Map<number, ((result: HashResult) => void)[]>;
  failed: Error | null;
  /** Jobs posted and not yet answered. */
  busy: number;
  /** Streams signing on this worker (between their posts it may have no job). */
  streams: number;
  /** Ends the worker once it has been idle for WORKER_IDLE_MS. */
  idleTimer: NodeJS.Timeout | null;
}

export class HashPool {
  private readonly slots: WorkerSlot[] = [];
  private nextStream = 1;
  private closed = false;

  constructor(
    private readonly size = Math.max(1, Math.min(2, availableParallelism() - 1)),
    private readonly idleMs = WORKER_IDLE_MS,
  ) {}

  /** Worker threads running now (started at the first large file, ended when idle). */
  get workers(): number {
    return this.slots.filter((slot) => slot !== undefined).length;
  }

  /** Signs a stream read through `read`, in slices of `sliceSize` bytes; `onChunks` sees each slice's chunks once hashed. */
  async sign(read: ReadInto, params: ChunkerParams, sliceSize: number, onChunks?: ChunksHashed): Promise<FileSignature> {
    const stream = this.nextStream++;
    const slot = this.slot(stream);
    slot.streams++;
    if (slot.idleTimer !== null) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    try {
      return await this.signOn(slot, stream, read, params, sliceSize, onChunks);
    } finally {
      if (--slot.streams === 0 && slot.busy === 0) this.endWhenIdle(slot);
    }
  }

  private async signOn(
    slot: WorkerSlot,
    stream: number,
    read: ReadInto,
    params: ChunkerParams,
    sliceSize: number,
    onChunks: ChunksHashed | undefined,
  ): Promise<FileSignature> {
    const scanner = await createBoundaryScanner(params);
    const chunks: StoredChunk[] = [];
    const free: Buffer[] = Array.from({ length: SLICES }, () => Buffer.allocUnsafeSlow(sliceSize));
    const pending: Promise<void>[] = [];
    let freed: (() => void) | null = null;
    let failure: unknown = null;
    const wake = (): void => {
      const resolve = freed;
      freed = null;
      resolve?.();
    };
    let streamOffset = 0;
    let chunkStart = 0;
    try {
      for (;;) {
        while (free.length === 0) {
          if (failure !== null) throw failure;
          await new Promise<void>((resolve) => (freed = resolve));
        }
        const buffer = free.pop()!;
        const length = await read(buffer);
        const sliceStart = streamOffset;
        streamOffset += length;
        const ends = length > 0 ? scanner.push(buffer.subarray(0, length)) : [];
        const last = length === 0;
        // The stream's end closes its last chunk (none for an empty stream or one that ended on a cut).
        if (last && streamOffset > chunkStart && (ends.length === 0 || ends[ends.length - 1] !== streamOffset)) ends.push(streamOffset);
        const starts = ends.map((end, i) => (i === 0 ? chunkStart : ends[i - 1]!));
        if (ends.length > 0) chunkStart = ends[ends.length - 1]!;
        const cuts = ends.map((end) => end - sliceStart);
        const slots = ends.map((end, i) => chunks.push({ offset: starts[i]!, length: end - starts[i]!, hash: EMPTY }) - 1);
        const hashed = this.post(slot, { stream, buffer: buffer.buffer as ArrayBuffer, length, cuts, last }).then(
          async (result) => {
            const hashes = Buffer.from(result.hashes);
            slots.forEach((at, i) => (chunks[at]!.hash = hashes.subarray(32 * i, 32 * i + 32)));
            // Answers arrive in order, so the sink sees the chunks in file order.
            if (onChunks !== undefined && slots.length > 0) await onChunks(slots.map((at) => chunks[at]!));
            free.push(Buffer.from(result.buffer));
            wake();
          },
          (err: unknown) => {
            failure ??= err;
            wake();
            throw err;
          },
        );
        // Observed at once: a failure is reported by the loop or the Promise.all below, never as an unhandled rejection.
        hashed.catch(() => undefined);
        pending.push(hashed);
        if (last) break;
      }
    } catch (err) {
      // The worker forgets the stream's open chunk; answers still due are dropped.
      void this.post(slot, { stream, buffer: new ArrayBuffer(0), length: 0, cuts: [], last: true }).catch(() => undefined);
      void Promise.allSettled(pending);
      throw err;
    }
    await Promise.all(pending);
    return { size: streamOffset, digest: fileRoot(streamOffset, chunks, params.minSize), chunks };
  }

  /** Ends the workers; signing after this fails. */
  async close(): Promise<void> {
    this.closed = true;
    for (const slot of this.slots) if (slot?.idleTimer) clearTimeout(slot.idleTimer);
    await Promise.all(this.slots.filter((slot) => slot !== undefined).map((slot) => slot.worker.terminate()));
  }

  private slot(stream: number): WorkerSlot {
    if (this.closed) throw new Error('hash pool closed');
    const at = stream % this.size;
    let slot = this.slots[at];
    if (slot === undefined || slot.failed !== null) {
      slot = this.startWorker();
      this.slots[at] = slot;
    }
    return slot;
  }

  private startWorker(): WorkerSlot {
    const worker = new Worker(new URL('./hash-worker.js', import.meta.url));
    // Idle workers must not keep the process alive.
    worker.unref();
    const slot: WorkerSlot = { worker, waiting: new Map(), failed: null, busy: 0, streams: 0, idleTimer: null };
    worker.on('message', (result: HashResult) => {
      const callbacks = slot.waiting.get(result.stream);
      const callback = callbacks?.shift();
      if (callbacks?.length === 0) slot.waiting.delete(result.stream);
      // Referenced only while it has work: an idle pool never keeps the process alive.
      if (--slot.busy === 0) {
        worker.unref();
        if (slot.streams === 0) this.endWhenIdle(slot);
      }
      callback?.(result);
    });
    const fail = (err: Error): void => {
      slot.failed = err;
      for (const callbacks of slot.waiting.values()) for (const callback of callbacks) callback({ stream: -1, buffer: new ArrayBuffer(0), hashes: new ArrayBuffer(0) });
      slot.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`hash worker exited with code ${code}`)));
    return slot;
  }

  private endWhenIdle(slot: WorkerSlot): void {
    if (slot.idleTimer !== null) clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => {
      slot.idleTimer = null;
      const at = this.slots.indexOf(slot);
      if (slot.busy > 0 || slot.streams > 0 || at < 0) return;
      // Forgotten first: a sign() starting meanwhile gets a new worker.
      delete this.slots[at];
      void slot.worker.terminate();
    }, this.idleMs);
    slot.idleTimer.unref();
  }

  private post(slot: WorkerSlot, job: HashJob): Promise<HashResult> {
    return new Promise((resolve, reject) => {
      if (slot.failed !== null) return reject(slot.failed);
      let callbacks = slot.waiting.get(job.stream);
      if (callbacks === undefined) slot.waiting.set(job.stream, (callbacks = []));
      callbacks.push((result) => (result.stream === -1 ? reject(slot.failed ?? new Error('hash worker failed')) : resolve(result)));
      if (slot.busy++ === 0) slot.worker.ref();
      slot.worker.postMessage(job, [job.buffer]);
    });
  }
}

const EMPTY = Buffer.alloc(0);
