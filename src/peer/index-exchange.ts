/**
 * The index exchange of one session: we ask the peer for its index (everything,
 * or only what is newer than the sequence we stored), answer its request the
 * same way, then send every later local change as an IndexUpdate. Received
 * entries are stored in the index and handed to the session, which decides
 * whether they ask for work.
 */
import type { IndexEntry, SyncIndex } from '../model/entries.js';
import type { Logger } from '../log.js';
import { fromFileEntry, toFileEntry } from '../protocol/entries.js';
import type { FileEntry } from '../protocol/messages.js';
import type { PeerConnection } from '../transport/connection.js';
import type { DiskFull } from '../transfer/disk-full.js';
import { HeldIndexFrames, type ReceivedIndexFrame } from './held-index.js';
import { splitByBytes } from './index-batches.js';

export interface IndexExchangeOptions {
  conn: PeerConnection;
  index: SyncIndex;
  /** Entries per Index / IndexUpdate frame. */
  batchSize: number;
  /** Received entries that cannot be stored for lack of space wait here (see HeldIndexFrames). */
  disk: DiskFull;
  log: Logger;
  /** A remote entry was stored (from the peer's Index or an update). */
  onRemoteEntry(remote: IndexEntry): void;
  /** The peer's Index reply was stored whole: what we hold of its entries is current. */
  onIndexReceived(): void;
  /** Outgoing traffic drained or entries were received: the session may have become idle. */
  onProgress(): void;
}

export class IndexExchange {
  /** True once the remote's first full Index (last=true) was received. */
  indexReceived = false;
  /** Outgoing index traffic, one step after another (Index batches, then updates). */
  private outgoing: Promise<void> = Promise.resolve();
  /** Highest local sequence the remote has been sent; null until it asked. */
  private sentSequence: number | null = null;
  private closed = false;
  private readonly held: HeldIndexFrames;
  /** An announce step is queued and has not started: later announces ride on it. */
  private announceQueued = false;

  constructor(private readonly options: IndexExchangeOptions) {
    this.held = new HeldIndexFrames({
      store: (frame) => this.store(frame),
      disk: options.disk,
      what: `index entries from ${options.conn.peerId}`,
      overflow: () => options.conn.close('too many index entries waiting for disk space; they are asked for again'),
      log: options.log,
    });
  }

  /** Asks the peer for what we have not stored yet. */
  requestIndex(): void {
    const { index, conn, log } = this.options;
    const progress = index.remoteProgress(conn.peerId);
    log.info('session.start', { peer: conn.peerId, since: progress.sequence, remoteIndex: progress.indexId });
    conn.send({ indexRequest: { indexId: progress.indexId, since: progress.sequence } }).catch((err: unknown) => {
      if (!this.closed) log.warn('session.send_failed', { err });
    });
  }

  /** Sends the remote every local index change it has not seen yet. */
  announce(): void {
    // Each applied file announces; a batch of them needs one step, which reads the index when it runs.
    if (this.announceQueued) return;
    this.announceQueued = true;
    this.enqueue(async () => {
      this.announceQueued = false;
      if (this.sentSequence === null) return; // the Index reply will carry it
      await this.sendSince(this.sentSequence, false);
    });
  }

  answerRequest(indexId: string, since: number): void {
    const { index, log } = this.options;
    // Another index id (ours was recreated, or the peer never saw it): send everything.
    const from = indexId === index.indexId ? since : 0;
    this.enqueue(async () => {
      this.sentSequence = null;
      const sent = await this.sendSince(from, true);
      this.sentSequence = sent;
      log.info('session.index_sent', { since: from, upTo: sent });
    });
  }

  receive(indexId: string, wireEntries: FileEntry[], last: boolean): void {
    this.held.receive({ indexId, entries: wireEntries.map(fromFileEntry), last });
  }

  private store({ indexId, entries, last }: ReceivedIndexFrame): void {
    const { index, conn, log } = this.options;
    const progress = index.remoteProgress(conn.peerId);
    if (progress.indexId !== indexId) {
      log.info('session.remote_index_reset', { from: progress.indexId, to: indexId });
      index.resetRemote(conn.peerId, indexId);
    }
    if (entries.length > 0) index.storeRemoteEntries(conn.peerId, indexId, entries);
    for (const remote of entries) this.options.onRemoteEntry(remote);
    if (last && !this.indexReceived) {
      this.indexReceived = true;
      log.info('session.index_received', { entries: index.remoteCount(conn.peerId) });
      this.options.onIndexReceived();
    }
    this.options.onProgress();
  }

  /** Received frames waiting for disk space to be stored. */
  get holding(): number {
    return this.held.size;
  }

  /** Resolves once the outgoing traffic queued so far was sent (or failed). */
  drained(): Promise<void> {
    return this.outgoing;
  }

  close(): void {
    this.closed = true;
    this.held.close();
  }

  /** Sends local entries with sequence > since in batches; returns the highest sent. */
  private async sendSince(since: number, asIndexReply: boolean): Promise<number> {
    const { index, conn, batchSize } = this.options;
    let cursor = since;
    for (;;) {
      const batch = index.since(cursor, batchSize);
      const done = batch.length < batchSize;
      const frames = splitByBytes(batch.map(toFileEntry));
      for (let i = 0; i < frames.length; i++) {
        const entries = frames[i]!;
        const last = done && i === frames.length - 1;
        if (asIndexReply) await conn.send({ index: { indexId: index.indexId, entries, last } });
        else if (entries.length > 0) await conn.send({ indexUpdate: { indexId: index.indexId, entries } });
        if (entries.length > 0) cursor = entries[entries.length - 1]!.sequence;
        // Updates are sent only after the Index reply, so they share its cursor.
        if (!asIndexReply && this.sentSequence !== null) this.sentSequence = cursor;
      }
      if (done) return cursor;
    }
  }

  private enqueue(step: () => Promise<void>): void {
    this.outgoing = this.outgoing
      .then(() => (this.closed ? undefined : step()))
      .catch((err: unknown) => {
        if (!this.closed) this.options.log.warn('session.send_failed', { err });
      })
      .finally(() => this.options.onProgress());
  }
}
