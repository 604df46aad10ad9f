/**
 * A few open read handles, reused across chunk requests for the same file: a
 * peer pulling a large file asks for thousands of chunks of it, and opening and
 * closing the file for each one costs more than the read. Handles close after a
 * short idle time. A handle may outlive a rename over its file and then reads the
 * old bytes; callers verify every chunk's hash, so stale bytes are never sent.
 */
import type { Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { fromSystemError } from '../errors.js';
import { MAX_REQUEST_BYTES, readChunkFrom } from './chunk-io.js';

interface Cached {
  handle: Promise<FileHandle>;
  users: number;
  timer: NodeJS.Timeout | null;
}

export class ReadHandles {
  private readonly cache = new Map<string, Cached>();
  private closed = false;

  constructor(
    private readonly maxOpen = 8,
    private readonly idleMs = 2_000,
  ) {}

  /**
   * Exactly `length` bytes (a run of chunks, at most MAX_REQUEST_BYTES) at `offset` of `absPath`, and the stats of the file
   * read, taken after the read (a write during the read moves its mtime).
   */
  async read(absPath: string, offset: number, length: number): Promise<{ data: Buffer; stats: Stats }> {
    const entry = this.acquire(absPath);
    try {
      const handle = await entry.handle;
      const data = await readChunkFrom(handle, absPath, offset, length, MAX_REQUEST_BYTES);
      return { data, stats: await handle.stat() };
    } catch (err) {
      this.forget(absPath, entry);
      throw fromSystemError(err, `read ${absPath}`);
    } finally {
      this.release(absPath, entry);
    }
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
