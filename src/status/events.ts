/**
 * The one event model of a node: what the REST events API (/rest/events), the
 * status page and `leftsync --json` all read. Every event has a schema version,
 * an id that only grows (1, 2, 3, ... within one process), a time, a type and
 * type-specific data. The node creates one EventBus and hands it down; the
 * parts that see something happen (links, scans, pulls, applies) emit into it.
 *
 * Event types, schema 1 (`peer` is always the remote peer's id):
 *   peer.linked        {peer, address}                     an authenticated link is up
 *   peer.lost          {peer, address, reason}             that link is gone
 *   local.changed      {path, kind, deleted}               a scan recorded a local change
 *   transfer.started   {peer, path, size, bytesDone}       a pull began (bytesDone > 0 when resumed)
 *   transfer.progress  {peer, path, size, bytesDone}       at most every PROGRESS_INTERVAL_MS per file
 *   transfer.ended     {peer, path, size, bytesDone, ok}   the pull finished or stopped (ok=false: failed, retried later)
 *   file.synced        {peer, path, kind, size, bytesReceived, bytesSaved}   a remote file or symlink is in place
 *   folder.synced      {peer, path}                        a remote folder was created
 *   file.deleted       {peer, path, kind}                  a remote deletion was carried out (kind: what was removed)
 *   conflict           {peer, path, keptAs, winner}        concurrent edits: ours was kept as keptAs
 *
 * bytesReceived counts chunk payload bytes as they crossed the wire (LZ4);
 * bytesSaved is size - bytesReceived (chunks reused, resumed or compressed).
 */

export const EVENT_SCHEMA = 1;

/** Events kept for /rest/events; older ones are dropped first. */
export const EVENT_BUFFER_SIZE = 1000;

export type EntryKind = 'file' | 'dir' | 'symlink';

export interface TransferData {
  peer: string;
  path: string;
  size: number;
  bytesDone: number;
}

export interface EventData {
  'peer.linked': { peer: string; address: string };
  'peer.lost': { peer: string; address: string; reason: string };
  'local.changed': { path: string; kind: EntryKind; deleted: boolean };
  'transfer.started': TransferData;
  'transfer.progress': TransferData;
  'transfer.ended': TransferData & { ok: boolean };
  'file.synced': { peer: string; path: string; kind: 'file' | 'symlink'; size: number; bytesReceived: number; bytesSaved: number };
  'folder.synced': { peer: string; path: string };
  'file.deleted': { peer: string; path: string; kind: EntryKind };
  conflict: { peer: string; path: string; keptAs: string; winner: string };
}

export type EventType = keyof EventData;

export const EVENT_TYPES: readonly EventType[] = [
  'peer.linked',
  'peer.lost',
  'local.changed',
  'transfer.started',
  'transfer.progress',
  'transfer.ended',
  'file.synced',
  'folder.synced',
  'file.deleted',
  'conflict',
];

export type SyncEvent = {
  [T in EventType]: { schema: typeof EVENT_SCHEMA; id: number; time: string; type: T; data: EventData[T] };
}[EventType];

export type EventListener = (event: SyncEvent) => void;

export class EventBus {
  private readonly buffer: SyncEvent[] = [];
  private readonly listeners = new Set<EventListener>();
  private nextId = 1;

  constructor(private readonly capacity = EVENT_BUFFER_SIZE) {}

  /** The id of the newest event (0 before the first). */
  get lastId(): number {
    return this.nextId - 1;
  }

  emit<T extends EventType>(type: T, data: EventData[T]): SyncEvent {
    const event = { schema: EVENT_SCHEMA, id: this.nextId++, time: new Date().toISOString(), type, data } as SyncEvent;
    this.buffer.push(event);
    if (this.buffer.length > this.capacity) this.buffer.shift();
    for (const listener of this.listeners) listener(event);
    return event;
  }

  /** Calls `listener` for every later event; returns the function that stops it. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Buffered events with id > since, oldest first, at most `limit`. */
  since(since: number, limit = this.capacity): SyncEvent[] {
    const first = this.buffer.findIndex((event) => event.id > since);
    return first < 0 ? [] : this.buffer.slice(first, first + limit);
  }

  /**
   * Long poll: the events after `since` at once if there are any, else the
   * first ones to arrive within timeoutMs (then []). `signal` ends the wait early.
   */
  wait(since: number, timeoutMs: number, limit = this.capacity, signal?: AbortSignal): Promise<SyncEvent[]> {
    const ready = this.since(since, limit);
    if (ready.length > 0 || timeoutMs <= 0 || signal?.aborted) return Promise.resolve(ready);
    return new Promise((resolve) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        unsubscribe();
        signal?.removeEventListener('abort', finish);
        resolve(this.since(since, limit));
      };
      const timer = setTimeout(finish, timeoutMs);
      // Resolved on the next turn so events emitted together arrive together.
      const unsubscribe = this.subscribe(() => {
        unsubscribe();
        setImmediate(finish);
      });
      signal?.addEventListener('abort', finish);
    });
  }
}
