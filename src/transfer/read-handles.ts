/**
 * A few open read handles, reused across chunk requests for the same file: a
 * peer pulling a large file asks for thousands of chunks of it, and opening and
 * closing the file for each one costs more than the read. Handles close after a
 * short idle time. A handle may outlive a rename over its file and then reads the
 * old bytes; callers verify every chunk's hash, so stale bytes are never sent.
 *
 * Runs read through a handle land in pooled buffers: the supplier gives each
 * back with giveBack() once its chunks are framed, so a large transfer reads
 * into the same few buffers instead of allocating 512 KiB per request.
 *
 * A short run from a file not open here (a small file, asked for once) is read
 * with synchronous calls instead, with no handle kept: open, read, fstat and
 * close cost a few microseconds each, while each trip through the promise API
 * waits for libuv's thread pool (shared with the scanner) and an event-loop turn.
 */
import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { fromSystemError } from '../errors.js';
import { SYNC_READ_FLAGS } from '../fs/paths.js';
import { BufferPool } from '../transport/buffer-pool.js';
import { MAX_REQUEST_BYTES, endsBefore, readChunkFrom } from './chunk-io.js';

/** Runs of at most this many bytes from a file not already open are read synchronously. */
export const SYNC_READ_BYTES = 64 << 10;

/** Free run buffers kept: the supplier answers 2 MiB of requests at once (MAX_ANSWERING_BYTES), and a request more. */
const FREE_RUN_BYTES = 2.5 * 1024 * 1024;

interface ReadRun {
  data: Buffer;
  stats: Stats;
}

interface Cached {
  handle: Promise<FileHandle>;
  users: number;
  timer: NodeJS.Timeout | null;
}

export class ReadHandles {
  private readonly cache = new Map<string, Cached>();
  // At least 512 KiB a block (the puller's request size), so runs a little shorter share one list.
  private readonly runs = new BufferPool(FREE_RUN_BYTES, 512 * 1024);
  private closed = false;

  constructor(
    private readonly maxOpen = 8,
    private readonly idleMs = 2_000,
  ) {}

  /**
   * Exactly `length` bytes (a run of chunks, at most MAX_REQUEST_BYTES) at `offset` of `absPath`, and the stats of the file
   * read, taken after the read (a write during the read moves its mtime).
   */
  async read(absPath: string, offset: number, length: number): Promise<ReadRun> {
    if (length <= SYNC_READ_BYTES && !this.cache.has(absPath)) return readOnce(absPath, offset, length);
    const entry = this.acquire(absPath);
    try {
      const handle = await entry.handle;
      const data = await readChunkFrom(handle, absPath, offset, length, MAX_REQUEST_BYTES, (bytes) => this.runs.take(bytes));
      // fstat synchronously: it costs microseconds, a trip through the thread pool a wakeup and a turn (0.28 s of the sender's main thread per cold 500 MiB file, --cpu-prof).
      return { data, stats: fstatSync(handle.fd) };
    } catch (err) {
      this.forget(absPath, entry);
      throw fromSystemError(err, `read ${absPath}`);
    } finally {
      this.release(absPath, entry);
    }
  }

  /** Gives back the buffer of a run read(): the caller no longer uses it or any view of it. */
  giveBack(data: Buffer): void {
    this.runs.give(data);
  }

  closeAll(): void {
    this.closed = true;
    for (const [absPath, entry] of this.cache) this.forget(absPath, entry);
  }

  private acquire(absPath: string): Cached {
    let entry = this.cache.get(absPath);
    if (entry === undefined || this.closed) {
      if (!this.closed && this.cache.size >= this.maxOpen) this.evictIdle();
      entry = { handle: open(absPath, 'r'), users: 0, timer: null };
      // A failed open is reported by read(); never an unhandled rejection here.
      entry.handle.catch(() => undefined);
      if (!this.closed) this.cache.set(absPath, entry);
    }
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    entry.users++;
    return entry;
  }

  private release(absPath: string, entry: Cached): void {
    entry.users--;
    if (entry.users > 0) return;
    if (this.cache.get(absPath) !== entry) {
      void entry.handle.then((h) => h.close()).catch(() => undefined);
      return;
    }
    entry.timer = setTimeout(() => this.forget(absPath, entry), this.idleMs);
    entry.timer.unref();
  }

  private forget(absPath: string, entry: Cached): void {
    if (this.cache.get(absPath) === entry) this.cache.delete(absPath);
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    if (entry.users === 0) void entry.handle.then((h) => h.close()).catch(() => undefined);
  }

  private evictIdle(): void {
    for (const [absPath, entry] of this.cache) {
      if (entry.users === 0) {
        this.forget(absPath, entry);
        return;
      }
    }
  }
}

/** ReadHandles.read with synchronous calls, the file closed again at once. */
function readOnce(absPath: string, offset: number, length: number): ReadRun {
  let fd: number | undefined;
  try {
    // A link swapped in fails here: the chunk is looked for elsewhere, as after any failed read.
    fd = openSync(absPath, SYNC_READ_FLAGS);
    const data = Buffer.allocUnsafe(length);
    for (let filled = 0; filled < length; ) {
      const bytesRead = readSync(fd, data, filled, length - filled, offset + filled);
      if (bytesRead === 0) throw endsBefore(absPath, offset + length);
      filled += bytesRead;
    }
    // After the read, as on the other path: a write during the read moves the mtime.
    return { data, stats: fstatSync(fd) };
  } catch (err) {
    throw fromSystemError(err, `read ${absPath}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
