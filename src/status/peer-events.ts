/**
 * The events one sync session emits, bound to its remote peer: the session
 * hands this to its puller and applier, so each hook point is one call.
 */
import type { IndexEntry } from '../model/entries.js';
import type { EventBus } from './events.js';

/** A pull reports progress no more often than this per file. */
export const PROGRESS_INTERVAL_MS = 100;

/** One pull in progress: bytes of the file on disk so far. */
export class TransferProgress {
  private lastEmit = Date.now();
  private finished = false;

  constructor(
    private readonly bus: EventBus,
    private readonly peer: string,
    private readonly remote: IndexEntry,
    private bytesDone: number,
  ) {
    bus.emit('transfer.started', this.data());
  }

  /** Verified bytes just written (fetched or copied). */
  add(bytes: number): void {
    this.bytesDone += bytes;
    const now = Date.now();
    if (now - this.lastEmit < PROGRESS_INTERVAL_MS) return;
    this.lastEmit = now;
    this.bus.emit('transfer.progress', this.data());
  }

  /** The file is in place: `bytesReceived` crossed the wire for it. */
  synced(bytesReceived: number): void {
    if (this.finished) return;
    this.finished = true;
    const { size, path } = this.remote;
    this.bus.emit('transfer.ended', { ...this.data(), bytesDone: size, ok: true });
    this.bus.emit('file.synced', { peer: this.peer, path, kind: 'file', size, bytesReceived, bytesSaved: Math.max(0, size - bytesReceived) });
  }

  /** The pull stopped without placing the file (call it in a finally; no-op after synced). */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.bus.emit('transfer.ended', { ...this.data(), ok: false });
  }

  private data(): { peer: string; path: string; size: number; bytesDone: number } {
    return { peer: this.peer, path: this.remote.path, size: this.remote.size, bytesDone: Math.min(this.bytesDone, this.remote.size) };
  }
}

export class PeerEvents {
  constructor(
    readonly bus: EventBus,
    readonly peer: string,
  ) {}

  /** A pull of `remote` starts with `bytesDone` bytes already verified (resumed). */
  transfer(remote: IndexEntry, bytesDone: number): TransferProgress {
    return new TransferProgress(this.bus, this.peer, remote, bytesDone);
  }

  /** A remote entry other than a pulled file was applied. `removed`: a delete found something to remove. */
  applied(remote: IndexEntry, local: IndexEntry | undefined): void {
    const { peer } = this;
    const { path } = remote;
    if (remote.deleted) {
      if (local !== undefined && !local.deleted) this.bus.emit('file.deleted', { peer, path, kind: local.type });
    } else if (remote.type === 'dir') {
      this.bus.emit('folder.synced', { peer, path });
    } else {
      // A symlink, or a file whose bytes were already here (only metadata changed).
      this.bus.emit('file.synced', { peer, path, kind: remote.type, size: remote.size, bytesReceived: 0, bytesSaved: remote.size });
    }
  }

  conflict(path: string, keptAs: string, winner: string): void {
    this.bus.emit('conflict', { peer: this.peer, path, keptAs, winner });
  }
}
