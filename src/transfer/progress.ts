/**
 * What a pull reports while it runs. Declared here, at the puller, so transfer/
 * imports nothing above it; src/status/peer-events.ts implements it.
 */
import type { IndexEntry } from '../model/entries.js';

/** One pull's progress as it reports it (src/status/peer-events.ts implements it). */
export interface PullProgress {
  /** Verified bytes just written (fetched or copied). */
  add(bytes: number): void;
  /** The file is in place: `bytesReceived` crossed the wire for it. */
  synced(bytesReceived: number): void;
  /** The pull stopped without placing the file (no-op after synced). */
  end(): void;
}

/** Where pulls report: one progress object per pull. */
export interface PullEvents {
  /** A pull of `remote` starts with `bytesDone` bytes already verified (resumed). */
  transfer(remote: IndexEntry, bytesDone: number): PullProgress;
}
