/**
 * Received index frames that could not be stored for lack of space are held, in
 * order, and stored later (with backoff, without end); frames arriving behind a
 * held one are held too, so the stored progress (what we "acknowledge": the
 * sequence our next IndexRequest asks from) never passes an entry that was not
 * stored. Before, such an IndexUpdate was dropped for the life of the link.
 *
 * Memory is bounded: past MAX_HELD_ENTRIES the held frames are dropped and the
 * link is closed; the reconnect asks for everything after the stored progress.
 */
import type { Logger } from '../log.js';
import type { IndexEntry } from '../model/entries.js';
import { isDiskFull, type DiskFull } from '../transfer/disk-full.js';
import { pauseDelayMs } from './pause.js';

/** ~400 bytes of heap each: 20,000 are ~8 MB, a few Index frames of the largest kind. */
export const MAX_HELD_ENTRIES = 20_000;

export interface ReceivedIndexFrame {
  indexId: string;
  entries: IndexEntry[];
  last: boolean;
}

export interface HeldIndexOptions {
  /** Stores one frame (throws LS_DISK_FULL when there is no space). */
  store(frame: ReceivedIndexFrame): void;
  disk: DiskFull;
  /** Names this link's wait in the disk-full state. */
  what: string;
  /** Too much held: drop the link (its frames are dropped already). */
  overflow(): void;
  log: Logger;
  maxEntries?: number;
}

export class HeldIndexFrames {
  private held: ReceivedIndexFrame[] = [];
  private heldEntries = 0;
  private pauses = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: HeldIndexOptions) {}

  get size(): number {
    return this.held.length;
  }

  /** Stores `frame` now, or holds it behind the frames already waiting. Throws what store throws, but a full disk. */
  receive(frame: ReceivedIndexFrame): void {
    if (this.closed) return;
    if (this.held.length === 0 && this.tryStore(frame)) return;
    this.hold(frame);
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.held = [];
    this.heldEntries = 0;
  }

  private tryStore(frame: ReceivedIndexFrame): boolean {
    try {
      this.options.store(frame);
      return true;
    } catch (err) {
      if (!isDiskFull(err)) throw err;
      this.options.disk.report(this.options.what, err);
      return false;
    }
  }

  private hold(frame: ReceivedIndexFrame): void {
    this.held.push(frame);
    this.heldEntries += frame.entries.length;
    if (this.heldEntries > (this.options.maxEntries ?? MAX_HELD_ENTRIES)) {
      this.options.log.warn('session.index_held_overflow', { frames: this.held.length, entries: this.heldEntries });
      this.close();
      this.options.overflow();
      return;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== null || this.closed) return;
    this.pauses++;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.drain();
    }, pauseDelayMs(this.pauses));
    this.timer.unref();
  }

  private drain(): void {
    while (!this.closed && this.held.length > 0) {
      const next = this.held[0]!;
      try {
        if (!this.tryStore(next)) {
          this.schedule();
          return;
        }
      } catch (err) {
        // Not a space problem: the frame cannot be stored at all (as when it first came).
        this.options.log.warn('session.index_store_failed', { err, entries: next.entries.length });
      }
      this.held.shift();
      this.heldEntries -= next.entries.length;
    }
    if (this.closed) return;
    this.pauses = 0;
    this.options.log.info('session.index_held_stored', { msg: 'index entries held while the disk was full are stored' });
    this.options.disk.written(this.options.what);
  }
}
