/**
 * One sync session with one remote peer over an authenticated PeerConnection:
 * the index exchange (IndexExchange), reconcile of every entry the peer
 * announces, a queue of per-path work carried out a few paths at a time by the
 * applier, and the supplier answering the peer's transfer requests. The node
 * creates a session per connection and calls announce() whenever the local
 * index changed.
 */
import { ErrorCode, LeftsyncError, errorMessage, isErrorCode } from '../errors.js';
import { checkRelativePath } from '../fs/paths.js';
import type { IndexEntry } from '../model/entries.js';
import { createLogger, type Logger } from '../log.js';
import type { Frame } from '../protocol/messages.js';
import { wouldAct } from '../reconcile/reconcile.js';
import { Puller, isSingleChunk } from '../transfer/puller.js';
import { StatsCounter, type TransferStats } from '../transfer/stats.js';
import { Supplier } from '../transfer/supplier.js';
import { StreamPrefetch, replaceableBy } from '../transfer/stream-prefetch.js';
import { PeerEvents } from '../status/peer-events.js';
import { Applier } from './applier.js';
import { LinkStatsLog } from './stats-log.js';
import { IndexExchange } from './index-exchange.js';
import { PathQueue, type WorkOutcome } from './path-queue.js';
import { StoredNeeds } from './stored-needs.js';
import type { Session, SessionOptions } from './session-types.js';

class SyncSession implements Session {
  readonly remotePeerId: string;
  private readonly log: Logger;
  private readonly counters = new StatsCounter();
  private readonly puller: Puller;
  private readonly supplier: Supplier;
  private readonly applier: Applier;
  private readonly paths: PathQueue;
  private readonly exchange: IndexExchange;
  private readonly needs: StoredNeeds;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  /** Requests being answered, so idleness also waits for the supplier. */
  private supplying = 0;
  private readonly statsLog: LinkStatsLog;
  /** Streaming sync: this link's following of the peer's growing files, and our publishing to it. */
  private readonly prefetch: StreamPrefetch | null = null;
  private readonly unpublish: (() => void) | null = null;

  constructor(private readonly options: SessionOptions) {
    const { conn, index } = options;
    this.remotePeerId = conn.peerId;
    this.log = (options.log ?? createLogger('session')).child(conn.peerId.slice(0, 7));
    const send = (frame: Frame) => conn.send(frame);
    const events = new PeerEvents(options.events, conn.peerId);
    this.puller = new Puller({
      index,
      shareDir: options.shareDir,
      stateDir: options.stateDir,
      peerId: conn.peerId,
      send,
      stats: this.counters,
      events,
      log: this.log,
      windowChunks: options.windowChunks,
      windowBytes: options.windowBytes,
      maxChunkTries: options.maxChunkTries,
      growing: options.streams?.growing,
    });
    this.supplier = new Supplier({
      index,
      shareDir: options.shareDir,
      stateDir: options.stateDir,
      send,
      reading: conn,
      stats: this.counters,
      log: this.log,
      peerId: conn.peerId,
      uploadLimit: options.uploadLimit,
      isStreaming: (relPath) => options.streams?.publisher.isStreaming(relPath) === true,
    });
    this.applier = new Applier({
      index,
      remotePeerId: conn.peerId,
      shareDir: options.shareDir,
      puller: this.puller,
      events,
      rescan: options.rescan,
      scanLock: options.scanLock,
      share: options.share,
      disk: options.disk,
      log: this.log,
    });
    this.exchange = new IndexExchange({
      conn,
      index,
      batchSize: options.batchSize ?? 1000,
      disk: options.disk,
      log: this.log,
      onRemoteEntry: (remote) => {
        this.supplier.noteRemoteEntry(remote);
        this.needs.offer(remote);
      },
      // Needs stored before a disconnect are still needs, once the peer has told what
      // changed since: acted on before, a stale one (a file the peer moved away, pulled
      // from our own chunks) would be placed and then deleted, its folder left behind.
      onIndexReceived: () => this.reconsider(),
      onProgress: () => this.checkIdle(),
    });
    this.paths = new PathQueue({
      concurrency: options.pullConcurrency ?? 4,
      run: (relPath) => this.run(relPath),
      batch: {
        max: options.smallBatch ?? 128,
        eligible: (relPath) => this.isSmallPull(relPath),
        run: (paths) => this.runBatch(paths),
      },
      deletions: { max: options.deletionBatch ?? 256, run: (paths) => this.runDeletions(paths) },
      onSettled: (_relPath, outcome) => this.settled(outcome),
      log: this.log,
    });
    this.needs = new StoredNeeds({
      limit: options.queueLimit ?? 20_000,
      waiting: () => this.paths.waiting,
      page: (after, limit) => index.remoteEntriesAfter(conn.peerId, after, limit),
      offer: (remote) => this.consider(remote),
    });
    if (options.streams && !options.planOnly) {
      this.prefetch = new StreamPrefetch({
        growing: options.streams.growing,
        fetch: (relPath, chunks, landing) => this.puller.fetchStreamChunks(relPath, chunks, landing),
        wants: (relPath) => this.wantsGrowing(relPath),
        holdsLocally: (chunk) => options.index.findChunk(chunk.hash)?.length === chunk.length,
        log: this.log,
      });
      this.unpublish = options.streams.publisher.attach((frame) => this.sendFrame(frame));
    }
    conn.onFrame((frame) => this.onFrame(frame));
    conn.onClose((reason) => this.shutDown(reason));
    this.statsLog = new LinkStatsLog(this.counters, this.remotePeerId, this.log, options.statsLogIntervalMs ?? 5000);
  }

  start(): void {
    this.exchange.requestIndex();
  }

  reconsider(): void {
    // Every stored entry of the peer, paged from the store into the bounded queue.
    if (!this.closed) this.needs.rescan();
  }

  get indexReceived(): boolean {
    return this.exchange.indexReceived;
  }

  announce(): void {
    this.exchange.announce();
  }

  stats(): TransferStats {
    return this.counters.snapshot();
  }

  pending(): number {
    return this.paths.pending;
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
      if (frame.indexRequest) {
        if (!this.options.planOnly) this.exchange.answerRequest(frame.indexRequest.indexId, frame.indexRequest.since);
      }
      else if (frame.index) this.exchange.receive(frame.index.indexId, frame.index.entries, frame.index.last);
      else if (frame.indexUpdate) this.exchange.receive(frame.indexUpdate.indexId, frame.indexUpdate.entries, false);
      else if (frame.treeRequest) this.supply(frame.treeRequest.requestId, () => this.supplier.answerTree(frame.treeRequest!));
      else if (frame.chunkRequest) this.supply(frame.chunkRequest.requestId, () => this.supplier.answerChunk(frame.chunkRequest!));
      else if (frame.treeReply) this.routeReply(frame.treeReply.requestId, this.puller.onReply(frame.treeReply));
      else if (frame.chunkReply) this.routeReply(frame.chunkReply.requestId, this.puller.onReply(frame.chunkReply));
      else if (frame.growingFile) this.prefetch?.onGrowing(frame.growingFile);
      else if (frame.error) this.receiveError(frame.error.code, frame.error.message, frame.error.requestId);
      else this.unexpected(`${Object.keys(frame).join(',') || 'empty'} frame during sync`, 0);
    } catch (err) {
      // A frame we cannot process must not take the node down: report and carry on.
      this.log.warn('session.frame_failed', { err });
      this.sendFrame({ error: { code: codeOf(err), message: errorMessage(err), requestId: 0 } });
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
        this.sendFrame({ error: { code: codeOf(err), message: errorMessage(err), requestId } });
      })
      .finally(() => {
        this.supplying--;
        this.checkIdle();
      });
  }

  // --- work queue ----------------------------------------------------------------

  /**
   * Queues a path if the remote entry asks for work (cheap check, redone when its
   * turn comes). Deletions wait for the other work (see PathQueue): the pull of a
   * renamed file takes its chunks from the old name.
   */
  private consider(remote: IndexEntry): void {
    if (this.options.planOnly || !this.mayApply(remote)) return;
    const { index } = this.options;
    this.paths.offer(remote.path, () => wouldAct(index.versionOf(remote.path), remote, () => index.get(remote.path)), remote.deleted);
  }

  /** A growing file of the peer's is followed if we would take its new version now, and the share is there. */
  private async wantsGrowing(relPath: string): Promise<boolean> {
    const { index, conn, share, disk } = this.options;
    if (this.closed || disk.isFull || !this.mayApply({ path: relPath, type: 'file' }) || !replaceableBy(index, conn.peerId, relPath)) return false;
    return share.check().then(() => true, () => false);
  }

  /** Safe and not ignored (the state folder is always ignored). */
  private mayApply(remote: Pick<IndexEntry, 'path' | 'type'>): boolean {
    try {
      checkRelativePath(remote.path);
    } catch (err) {
      this.log.warn('sync.unsafe_path', { path: remote.path, err });
      return false;
    }
    return !this.options.isIgnored(remote.path, remote.type === 'dir');
  }

  /** Works on one path: the latest entry the peer announced, decided against our index as it is now. */
  private async run(relPath: string): Promise<WorkOutcome> {
    const { index, conn, shareDir, pathLocks } = this.options;
    return pathLocks.run(`${shareDir}\0${relPath}`, async () => {
      const remote = index.remoteEntry(conn.peerId, relPath);
      if (remote === undefined || this.closed || !this.mayApply(remote)) return 'unchanged';
      return this.applier.apply(remote);
    });
  }

  /** A path whose latest remote entry is a file short enough to join a batch (see Applier.applyBatch, singleChunkOf). */
  private isSmallPull(relPath: string): boolean {
    const remote = this.options.index.remoteShape(this.options.conn.peerId, relPath);
    return remote !== undefined && !remote.deleted && remote.type === 'file' && isSingleChunk(remote.size);
  }

  /** Works on several small pulls together (see Applier.applyBatch). */
  private runBatch(paths: string[]): Promise<WorkOutcome[]> {
    return this.runLocked(paths, (remotes) => this.applier.applyBatch(remotes));
  }

  /** Works on several deletions together (see applyDeletions). */
  private runDeletions(paths: string[]): Promise<WorkOutcome[]> {
    return this.runLocked(paths, (remotes) => this.applier.applyDeletions(remotes));
  }

  /**
   * Runs `apply` on the latest remote entries of `paths`, holding all their path
   * locks (taken in sorted order: no deadlock); a path with nothing to apply is 'unchanged'.
   */
  private async runLocked(paths: string[], apply: (remotes: IndexEntry[]) => Promise<WorkOutcome[]>): Promise<WorkOutcome[]> {
    const { index, conn, shareDir, pathLocks } = this.options;
    const keys = paths.map((relPath) => `${shareDir}\0${relPath}`).sort();
    const locked = async (): Promise<WorkOutcome[]> => {
      const outcomes: WorkOutcome[] = paths.map(() => 'unchanged');
      const todo: number[] = [];
      const remotes: IndexEntry[] = [];
      paths.forEach((relPath, i) => {
        const remote = index.remoteEntry(conn.peerId, relPath);
        if (remote === undefined || this.closed || !this.mayApply(remote)) return;
        todo.push(i);
        remotes.push(remote);
      });
      if (remotes.length === 0) return outcomes;
      const results = await apply(remotes);
      todo.forEach((i, k) => (outcomes[i] = results[k]!));
      return outcomes;
    };
    const nest = (k: number): Promise<WorkOutcome[]> => (k === keys.length ? locked() : pathLocks.run(keys[k]!, () => nest(k + 1)));
    return nest(0);
  }

  private settled(outcome: WorkOutcome | null): void {
    if (outcome === 'applied') {
      this.announce();
      this.options.onLocalChange?.();
    }
    this.needs.refill();
    this.checkIdle();
  }

  // --- plumbing -----------------------------------------------------------------------

  private sendFrame(frame: Frame): void {
    this.options.conn.send(frame).catch((err: unknown) => {
      if (!this.closed) this.log.warn('session.send_failed', { err });
    });
  }

  private isIdle(): boolean {
    return this.closed || (this.paths.idle && !this.needs.pending && this.supplying === 0 && this.puller.outstanding === 0 && this.exchange.holding === 0);
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    // Outgoing index traffic must have drained too.
    void this.exchange.drained().then(() => {
      if (!this.isIdle()) return;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    });
  }

  private shutDown(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.statsLog.stop();
    this.paths.close();
    this.exchange.close();
    this.puller.close(reason);
    this.supplier.close();
    this.unpublish?.();
    this.prefetch?.close();
    this.log.info('session.closed', { reason, ...this.statsLog.summary() });
    this.checkIdle();
  }
}

function codeOf(err: unknown): string {
  return err instanceof LeftsyncError ? err.code : ErrorCode.INTERNAL;
}

/** Wires a sync session onto an authenticated connection and starts the index exchange. */
export function createSession(options: SessionOptions): Session {
  const session = new SyncSession(options);
  session.start();
  return session;
}
