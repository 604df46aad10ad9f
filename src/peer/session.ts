/**
 * One sync session with one remote peer over an authenticated PeerConnection:
 * index exchange (full or incremental by sequence), reconcile of every entry the
 * peer announces, a queue of per-path work carried out a few paths at a time,
 * and the supplier answering the peer's transfer requests. The node creates a
 * session per connection and calls announce() whenever the local index changed.
 */
import { ErrorCode, LeftsyncError, isErrorCode } from '../errors.js';
import { checkRelativePath, toRelativePath } from '../fs/index.js';
import type { IndexEntry, SyncIndex } from '../index/types.js';
import { createLogger, type Logger } from '../log.js';
import type { Frame, FileEntry } from '../protocol/messages.js';
import { reconcile } from '../reconcile/reconcile.js';
import type { PeerConnection } from '../transport/connection.js';
import { withPathLock } from '../transfer/path-locks.js';
import { Puller } from '../transfer/puller.js';
import { StatsCounter, type TransferStats } from '../transfer/stats.js';
import { Supplier } from '../transfer/supplier.js';
import { Applier } from './applier.js';
import { PathQueue, type WorkOutcome } from './path-queue.js';
import { splitByBytes } from './index-batches.js';
import { fromFileEntry, toFileEntry } from './wire-entry.js';

export interface SessionOptions {
  conn: PeerConnection;
  index: SyncIndex;
  /** Absolute path of the share. */
  shareDir: string;
  /** Absolute path of the state folder (temp files live in its tmp/). */
  stateDir: string;
  /** Our own peer id, for logs (defaults to index.peerId). */
  peerId?: string;
  /**
   * Rescans these share paths into the index (the scanner). Used after a conflict
   * rename and when a local file changed under a transfer.
   */
  rescan(paths: string[]): Promise<void>;
  /**
   * Called after this session changed the local index (a file applied, deleted,
   * merged), so the node can announce to every peer (A -> B -> C).
   */
  onLocalChange?(): void;
  /**
   * Paths this node leaves alone (its ignore rules); remote entries for them are
   * stored but never applied. The state folder is always left alone.
   */
  isIgnored?(relPath: string, isDir: boolean): boolean;
  /**
   * Runs a short step that changes the share and then the index (replace a file,
   * then recordApplied) while no scan runs, so a scan can never see the new file
   * before the index knows it and mistake it for a local edit. Defaults to running
   * the step directly (tests without a scanner).
   */
  withScanPaused?<T>(step: () => Promise<T>): Promise<T>;
  /** Paths worked on at once (default 4). */
  pullConcurrency?: number;
  /** Entries per Index / IndexUpdate frame (default 1000). */
  batchSize?: number;
  /** Chunk requests in flight per file (default 32). */
  windowChunks?: number;
  /** Requested bytes in flight per file (default 4 MiB). */
  windowBytes?: number;
  /** Attempts per chunk (default 3). */
  maxChunkTries?: number;
  /** How often the byte counters are logged while they change, ms (default 5000; 0 = never). */
  statsLogIntervalMs?: number;
  log?: Logger;
}

export interface Session {
  /** The remote peer's id. */
  readonly remotePeerId: string;
  /** Sends the remote every local index change it has not seen yet. */
  announce(): void;
  /** Byte counters of this link. */
  stats(): TransferStats;
  /** Resolves when the index exchange answered, the queue is empty and nothing is in flight. */
  whenIdle(): Promise<void>;
  /** True once the remote's first full Index (last=true) was received. */
  readonly indexReceived: boolean;
  close(reason?: string): void;
}

class SyncSession implements Session {
  readonly remotePeerId: string;
  indexReceived = false;
  private readonly log: Logger;
  private readonly counters = new StatsCounter();
  private readonly puller: Puller;
  private readonly supplier: Supplier;
  private readonly applier: Applier;
  private readonly paths: PathQueue;
  private readonly batchSize: number;


  /** Outgoing index traffic, one step after another (Index batches, then updates). */
  private outgoing: Promise<void> = Promise.resolve();
  /** Highest local sequence the remote has been sent; null until it asked. */
  private sentSequence: number | null = null;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  /** Requests being answered, so idleness also waits for the supplier. */
  private supplying = 0;
  private statsTimer: NodeJS.Timeout | null = null;
  private lastLoggedStats = '';

  constructor(private readonly options: SessionOptions) {
    const { conn, index } = options;
    this.remotePeerId = conn.peerId;
    this.log = (options.log ?? createLogger('session')).child(conn.peerId.slice(0, 7));
    this.batchSize = options.batchSize ?? 1000;
    const send = (frame: Frame) => conn.send(frame);
    this.puller = new Puller({
      index,
      shareDir: options.shareDir,
      stateDir: options.stateDir,
      peerId: conn.peerId,
      send,
      stats: this.counters,
      log: this.log,
      windowChunks: options.windowChunks,
      windowBytes: options.windowBytes,
      maxChunkTries: options.maxChunkTries,
      withScanPaused: options.withScanPaused,
    });
    this.supplier = new Supplier({
      index,
      shareDir: options.shareDir,
      stateDir: options.stateDir,
      send,
      stats: this.counters,
      log: this.log,
      peerId: conn.peerId,
    });
    this.applier = new Applier({
      index,
      shareDir: options.shareDir,
      puller: this.puller,
      rescan: options.rescan,
      withScanPaused: options.withScanPaused,
      log: this.log,
    });
    this.paths = new PathQueue({
      concurrency: options.pullConcurrency ?? 4,
      run: (relPath) => this.run(relPath),
      onSettled: (_relPath, outcome) => this.settled(outcome),
      log: this.log,
    });
    conn.onFrame((frame) => this.onFrame(frame));
    conn.onClose((reason) => this.shutDown(reason));
    const every = options.statsLogIntervalMs ?? 5000;
    if (every > 0) {
      this.statsTimer = setInterval(() => this.logStats(), every);
      this.statsTimer.unref();
    }
  }

  start(): void {
    const { index, conn } = this.options;
    // Needs stored before a disconnect are still needs: look at them again.
    for (const remote of index.remoteEntries(conn.peerId)) this.consider(remote);
    const progress = index.remoteProgress(conn.peerId);
    this.log.info('session.start', { peer: conn.peerId, since: progress.sequence, remoteIndex: progress.indexId });
    this.sendFrame({ indexRequest: { indexId: progress.indexId, since: progress.sequence } });
  }

  announce(): void {
    this.enqueueOutgoing(async () => {
      if (this.sentSequence === null) return; // the Index reply will carry it
      await this.sendSince(this.sentSequence, false);
    });
  }

  stats(): TransferStats {
    return this.counters.snapshot();
  }

  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(reason = 'session closed'): void {
    this.options.conn.close(reason);
    this.shutDown(reason);
  }

  // --- incoming frames -------------------------------------------------------

  private onFrame(frame: Frame): void {
    if (this.closed) return;
    try {
      if (frame.indexRequest) this.answerIndexRequest(frame.indexRequest.indexId, frame.indexRequest.since);
      else if (frame.index) this.receiveEntries(frame.index.indexId, frame.index.entries, frame.index.last);
      else if (frame.indexUpdate) this.receiveEntries(frame.indexUpdate.indexId, frame.indexUpdate.entries, false);
      else if (frame.chunkListRequest) this.supply(frame.chunkListRequest.requestId, () => this.supplier.answerChunkList(frame.chunkListRequest!));
      else if (frame.chunkRequest) this.supply(frame.chunkRequest.requestId, () => this.supplier.answerChunk(frame.chunkRequest!));
      else if (frame.chunkListReply) this.routeReply(frame.chunkListReply.requestId, this.puller.onReply(frame.chunkListReply));
      else if (frame.chunkReply) this.routeReply(frame.chunkReply.requestId, this.puller.onReply(frame.chunkReply));
      else if (frame.error) this.receiveError(frame.error.code, frame.error.message, frame.error.requestId);
      else this.unexpected(`${Object.keys(frame).join(',') || 'empty'} frame during sync`, 0);
    } catch (err) {
      // A frame we cannot process must not take the node down: report and carry on.
      this.log.warn('session.frame_failed', { err });
      this.sendFrame({ error: { code: codeOf(err), message: messageOf(err), requestId: 0 } });
    }
  }

  private routeReply(requestId: number, matched: boolean): void {
    if (!matched) this.log.debug('session.stale_reply', { requestId });
  }

  private unexpected(what: string, requestId: number): void {
    this.log.warn('session.unexpected_frame', { what });
    this.sendFrame({ error: { code: ErrorCode.PROTO_UNEXPECTED, message: `unexpected ${what}`, requestId } });
  }

  private receiveError(code: string, message: string, requestId: number): void {
    const err = new LeftsyncError(isErrorCode(code) ? code : ErrorCode.INTERNAL, `peer error ${code}: ${message}`);
    if (requestId !== 0 && this.puller.onRequestError(requestId, err)) return;
    this.log.warn('session.peer_error', { code, message, requestId });
  }

  private supply(requestId: number, answer: () => Promise<void>): void {
    this.supplying++;
    answer()
      .catch((err: unknown) => {
        if (this.closed) return;
        this.log.warn('supplier.failed', { requestId, err });
        this.sendFrame({ error: { code: codeOf(err), message: messageOf(err), requestId } });
      })
      .finally(() => {
        this.supplying--;
        this.checkIdle();
      });
  }

  // --- index exchange ----------------------------------------------------------

  private answerIndexRequest(indexId: string, since: number): void {
    const { index } = this.options;
    // Another index id (ours was recreated, or the peer never saw it): send everything.
    const from = indexId === index.indexId ? since : 0;
    this.enqueueOutgoing(async () => {
      this.sentSequence = null;
      const sent = await this.sendSince(from, true);
      this.sentSequence = sent;
      this.log.info('session.index_sent', { since: from, upTo: sent });
    });
  }

  /** Sends local entries with sequence > since in batches; returns the highest sent. */
  private async sendSince(since: number, asIndexReply: boolean): Promise<number> {
    const { index, conn } = this.options;
    let cursor = since;
    for (;;) {
      const batch = index.since(cursor, this.batchSize);
      const done = batch.length < this.batchSize;
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

  private receiveEntries(indexId: string, wireEntries: FileEntry[], last: boolean): void {
    const { index, conn } = this.options;
    const progress = index.remoteProgress(conn.peerId);
    if (progress.indexId !== indexId) {
      this.log.info('session.remote_index_reset', { from: progress.indexId, to: indexId });
      index.resetRemote(conn.peerId, indexId);
    }
    const entries = wireEntries.map(fromFileEntry);
    if (entries.length > 0) index.storeRemoteEntries(conn.peerId, indexId, entries);
    for (const remote of entries) {
      this.supplier.noteRemoteEntry(remote);
      this.consider(remote);
    }
    if (last && !this.indexReceived) {
      this.indexReceived = true;
      this.log.info('session.index_received', { entries: index.remoteEntries(conn.peerId).length });
    }
    this.checkIdle();
  }

  // --- work queue ----------------------------------------------------------------

  /** Queues a path if the remote entry asks for work (cheap check, redone when its turn comes). */
  private consider(remote: IndexEntry): void {
    if (!this.mayApply(remote)) return;
    this.paths.offer(remote.path, () => reconcile(this.options.index.get(remote.path), remote).action !== 'none');
  }

  /** Safe, not ignored, not inside our state folder. */
  private mayApply(remote: IndexEntry): boolean {
    const { shareDir, stateDir, isIgnored } = this.options;
    try {
      checkRelativePath(remote.path);
    } catch (err) {
      this.log.warn('sync.unsafe_path', { path: remote.path, err });
      return false;
    }
    const stateRel = toRelativePath(shareDir, stateDir);
    if (stateRel !== null && (remote.path === stateRel || remote.path.startsWith(`${stateRel}/`))) return false;
    return !(isIgnored?.(remote.path, remote.type === 'dir') ?? false);
  }

  /** Works on one path: the latest entry the peer announced, decided against our index as it is now. */
  private async run(relPath: string): Promise<WorkOutcome> {
    const { index, conn, shareDir } = this.options;
    return withPathLock(`${shareDir}\0${relPath}`, async () => {
      const remote = index.remoteEntry(conn.peerId, relPath);
      if (remote === undefined || this.closed || !this.mayApply(remote)) return 'unchanged';
      return this.applier.apply(remote);
    });
  }

  private settled(outcome: WorkOutcome | null): void {
    if (outcome === 'applied') {
      this.announce();
      this.options.onLocalChange?.();
    }
    this.checkIdle();
  }

  /** Logs the link's byte counters when they changed since the last line (tests read these). */
  private logStats(): void {
    const fields = summary(this.counters.snapshot());
    const key = JSON.stringify(fields);
    if (key === this.lastLoggedStats) return;
    this.lastLoggedStats = key;
    this.log.info('transfer.stats', { peer: this.remotePeerId, ...fields });
  }

  // --- plumbing -----------------------------------------------------------------------

  private enqueueOutgoing(step: () => Promise<void>): void {
    this.outgoing = this.outgoing
      .then(() => (this.closed ? undefined : step()))
      .catch((err: unknown) => {
        if (!this.closed) this.log.warn('session.send_failed', { err });
      })
      .finally(() => this.checkIdle());
  }

  private sendFrame(frame: Frame): void {
    this.options.conn.send(frame).catch((err: unknown) => {
      if (!this.closed) this.log.warn('session.send_failed', { err });
    });
  }

  private isIdle(): boolean {
    return this.closed || (this.paths.idle && this.supplying === 0 && this.puller.outstanding === 0);
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    // Outgoing index traffic must have drained too.
    void this.outgoing.then(() => {
      if (!this.isIdle()) return;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    });
  }

  private shutDown(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.paths.close();
    this.puller.close(reason);
    this.supplier.close();
    this.log.info('session.closed', { reason, ...summary(this.counters.snapshot()) });
    this.checkIdle();
  }
}

function summary(stats: TransferStats): Record<string, number> {
  return {
    bytesSent: stats.sent.wireBytes,
    bytesReceived: stats.received.wireBytes,
    rawBytesSent: stats.sent.rawBytes,
    rawBytesReceived: stats.received.rawBytes,
    chunksSent: stats.sent.chunks,
    chunksReceived: stats.received.chunks,
    chunksReused: stats.chunksReused,
  };
}

function codeOf(err: unknown): string {
  return err instanceof LeftsyncError ? err.code : ErrorCode.INTERNAL;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Wires a sync session onto an authenticated connection and starts the index exchange. */
export function createSession(options: SessionOptions): Session {
  const session = new SyncSession(options);
  session.start();
  return session;
}
