/**
 * Keeps a session's work queue bounded whatever a peer announces. Every
 * announced entry is in the store (remote_entries) before it is offered, so
 * the queue may refuse one when it is full: the entry is not lost, it waits in
 * the store. Once the queue has drained to half, the store is read again in
 * path order, a page at a time, from where the last pass stopped, offering
 * what still needs work, until the queue is full again or the pass reaches the
 * end. A refusal during a pass (an update to a path the pass already went
 * by) asks for another pass. The session's first look at its stored needs is
 * such a pass.
 */
import type { IndexEntry } from '../model/entries.js';

export interface StoredNeedsOptions {
  /** Most paths waiting in the queue. */
  limit: number;
  /** Paths waiting in the queue now (not those being worked on). */
  waiting(): number;
  /** A page of the peer's stored entries with path > after, in path order. */
  page(after: string, limit: number): IndexEntry[];
  /** Offers an entry to the queue (the session's reconcile check and PathQueue.offer). */
  offer(remote: IndexEntry): void;
}

const PAGE = 500;

export class StoredNeeds {
  /** Entries were refused since the last pass began: another pass is due. */
  private refused = false;
  /** Where the pass under way goes on from; null: no pass under way. */
  private cursor: string | null = null;
  private reading = false;

  constructor(private readonly options: StoredNeedsOptions) {}

  /** True while stored entries may still be waiting to be offered. */
  get pending(): boolean {
    return this.refused || this.cursor !== null;
  }

  /** Offers `remote` now, or leaves it in the store when the queue is full. */
  offer(remote: IndexEntry): void {
    if (this.options.waiting() >= this.options.limit) {
      this.refused = true;
      return;
    }
    this.options.offer(remote);
  }

  /** Looks at every stored entry (a session starting). */
  rescan(): void {
    this.refused = true;
    this.refill();
  }

  /** The queue moved: continue or start a pass once it has room for half its limit. */
  refill(): void {
    const { limit, waiting, page, offer } = this.options;
    if (this.reading || waiting() > limit / 2) return;
    if (this.cursor === null) {
      if (!this.refused) return;
      this.refused = false;
      this.cursor = '';
    }
    this.reading = true;
    try {
      for (;;) {
        const entries = page(this.cursor, PAGE);
        for (const remote of entries) {
          if (waiting() >= limit) return; // the cursor stays before this entry
          offer(remote);
          this.cursor = remote.path;
        }
        if (entries.length < PAGE) {
          this.cursor = null;
          return;
        }
      }
    } finally {
      this.reading = false;
    }
  }
}
