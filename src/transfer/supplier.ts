/**
 * The supplier answers a peer's transfer requests from our index and disk:
 * nodes of the chunk trees of the versions we have, and chunk bytes, each verified against its
 * hash before it leaves (a file edited since it was indexed yields VERSION_GONE,
 * never wrong bytes). One chunk is read at a time per request; nothing reads a
 * whole file.
 *
 * Memory stays bounded whatever the peer asks for: at most MAX_ANSWERS_AT_ONCE
 * requests are read and sent at once (each send waits for the socket's buffer
 * to drain below its mark), the rest wait as small request objects, and once
 * MAX_WAITING_REQUESTS wait, reading from the peer stops until half of them are
 * answered, so a peer that floods requests and never reads is held back by TCP.
 * The mark is far above what a well-behaved puller has outstanding (its window
 * is 32 chunks), because a link whose two sides both stop reading while both
 * have replies to send would never move again.
 */
import { encodeChunk } from '../codec/lz4.js';
import { ErrorCode, LeftsyncError } from '../errors.js';
import { resolveSharePath } from '../fs/paths.js';
import type { IndexEntry, StoredChunk, SyncIndex } from '../model/entries.js';
import { matchesStats } from '../model/file-stats.js';
import type { Logger } from '../log.js';
import type { ChunkRequest, Frame, TreeRequest } from '../protocol/messages.js';
import { wireBytes } from '../protocol/entries.js';
import type { PeerConnection } from '../transport/connection.js';
import { MAX_CHUNK_BYTES, readVerifiedAt, sha256 } from './chunk-io.js';
import { STREAM_DIGEST } from './growing-files.js';
import { ReadHandles } from './read-handles.js';
import type { TokenBucket } from './rate-limit.js';
import type { StatsCounter } from './stats.js';
import { TreeCache } from './tree-cache.js';

export interface SupplierOptions {
  index: SyncIndex;
  shareDir: string;
  stateDir: string;
  send(frame: Frame): Promise<void>;
  /** The link the requests arrive on: paused while too many wait. */
  reading: Pick<PeerConnection, 'pauseReading' | 'resumeReading'>;
  stats: StatsCounter;
  log: Logger;
  /** The peer served (for the transfer.sent line). */
  peerId?: string;
  /** The node's upload cap (--bwlimit), shared by every link; each chunk reply waits for its payload's tokens. */
  uploadLimit?: TokenBucket;
  /** Paths being hashed and published (streaming sync): their chunks are served, hashed first, before they are indexed. */
  isStreaming?(path: string): boolean;
}

/** What one file version cost to send so far; logged once the peer announces it has it. */
interface Sending {
  digest: Buffer;
  size: number;
  started: number;
  wireBytes: number;
  rawBytes: number;
  chunks: number;
}

/** Files being sent that are remembered at most (a peer that never confirms must not grow this). */
const MAX_SENDING = 1_000;

/** Requests read from disk and sent at once; each holds at most one chunk (or chunk list). */
export const MAX_ANSWERS_AT_ONCE = 4;
/** Waiting requests at which reading from the peer pauses (resumes at half). */
export const MAX_WAITING_REQUESTS = 256;

/** What the supplier holds right now (tests and logs). */
export interface SupplierLoad {
  answering: number;
  waiting: number;
  readingPaused: boolean;
}

export class Supplier {
  private readonly handles = new ReadHandles();
  private answering = 0;
  private readonly waiting: Array<() => void> = [];
  private readingPaused = false;
  private closed = false;
  private readonly sending = new Map<string, Sending>();
  private readonly trees: TreeCache;
  private readonly chunkOffsets = new Map<string, Map<number, StoredChunk>>();

  constructor(private readonly options: SupplierOptions) {
    this.trees = new TreeCache(options.index);
  }

  get load(): SupplierLoad {
    return { answering: this.answering, waiting: this.waiting.length, readingPaused: this.readingPaused };
  }

  /** Closes the files kept open between requests; waiting requests fail without touching the disk. */
  close(): void {
    this.closed = true;
    for (const start of this.waiting.splice(0)) {
      this.answering++;
      start();
    }
    this.handles.closeAll();
  }

  answerTree(request: TreeRequest): Promise<void> {
    return this.inTurn(() => this.tree(request));
  }

  answerChunk(request: ChunkRequest): Promise<void> {
    return this.inTurn(() => this.chunk(request));
  }

  private async inTurn(answer: () => Promise<void>): Promise<void> {
    if (this.answering < MAX_ANSWERS_AT_ONCE && this.waiting.length === 0) this.answering++;
    else {
      // The finishing answer hands its slot over, so `answering` stays as is.
      const turn = new Promise<void>((resolve) => this.waiting.push(resolve));
      this.updateReading();
      await turn;
    }
    try {
      if (this.closed) throw new LeftsyncError(ErrorCode.CONNECTION_CLOSED, 'link closed before the request was answered');
      await answer();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.answering--;
      this.updateReading();
    }
  }

  private updateReading(): void {
    if (this.closed) return; // the link is gone; its socket is not ours to touch
    if (!this.readingPaused && this.waiting.length >= MAX_WAITING_REQUESTS) {
      this.readingPaused = true;
      this.options.log.info('supplier.reading_paused', { waiting: this.waiting.length, msg: 'the peer asks faster than it reads' });
      this.options.reading.pauseReading();
    } else if (this.readingPaused && this.waiting.length <= MAX_WAITING_REQUESTS / 2) {
      this.readingPaused = false;
      this.options.log.debug('supplier.reading_resumed', { waiting: this.waiting.length });
      this.options.reading.resumeReading();
    }
  }

  /** Nodes of the tree of the version named by its root; VERSION_GONE when that is not our current version. */
  private async tree(request: TreeRequest): Promise<void> {
    const { send, index } = this.options;
    const tree = this.trees.current(request.path, Buffer.from(request.digest));
    const reply = (nodes: Uint8Array<ArrayBuffer>[], errorCode: string) => send({ treeReply: { requestId: request.requestId, nodes, errorCode } });
    if (tree === undefined) return reply([], ErrorCode.VERSION_GONE);
    this.sendingOf(request.path, Buffer.from(request.digest), index.get(request.path)?.size ?? 0);
    const nodes: Uint8Array<ArrayBuffer>[] = [];
    for (const hash of request.nodes) {
      const found = tree.nodes.get(Buffer.from(hash).toString('hex'));
      // Not a node of that version: the asker did not follow the tree down from its root.
      if (found === undefined) return reply([], ErrorCode.TREE_INVALID);
      nodes.push(wireBytes(found.encoded));
    }
    return reply(nodes, '');
  }

  private async chunk(request: ChunkRequest): Promise<void> {
    const { send, stats } = this.options;
    const data = await this.findChunk(request);
    if (data === undefined) {
      await send({
        chunkReply: {
          requestId: request.requestId,
          hash: request.hash,
          compressed: false,
          payload: new Uint8Array(0),
          errorCode: ErrorCode.VERSION_GONE,
        },
      });
      return;
    }
    const { compressed, payload } = encodeChunk(data);
    // The payload is copied out of the codec's scratch buffer (or is `data`), so waiting here is safe.
    if (this.options.uploadLimit) await this.options.uploadLimit.take(payload.length);
    stats.addSent(request.path, payload.length, data.length);
    const sending = this.sendingOf(request.path, Buffer.from(request.digest), this.options.index.get(request.path)?.size ?? 0);
    sending.wireBytes += payload.length;
    sending.rawBytes += data.length;
    sending.chunks++;
    await send({
      chunkReply: { requestId: request.requestId, hash: request.hash, compressed, payload: wireBytes(payload), errorCode: '' },
    });
  }

  /**
   * The peer announced an entry: when it is the version we were sending, the
   * file arrived there (verified, in place), which is when the sender logs it.
   */
  noteRemoteEntry(remote: { path: string; digest: Buffer; deleted: boolean }): void {
    const sending = this.sending.get(remote.path);
    if (sending === undefined || remote.deleted || !sending.digest.equals(remote.digest)) return;
    this.sending.delete(remote.path);
    this.options.log.info('transfer.sent', {
      path: remote.path,
      peer: this.options.peerId,
      size: sending.size,
      bytesSent: sending.wireBytes,
      rawBytesSent: sending.rawBytes,
      chunksSent: sending.chunks,
      ms: Date.now() - sending.started,
      bytesSaved: Math.max(0, sending.size - sending.wireBytes),
    });
  }

  private sendingOf(path: string, digest: Buffer, size: number): Sending {
    let sending = this.sending.get(path);
    // What goes out while the file streams counts toward the path's transfer, named by the version its entry then names.
    if (sending !== undefined && digest.equals(STREAM_DIGEST)) return sending;
    if (sending !== undefined && sending.digest.equals(STREAM_DIGEST)) Object.assign(sending, { digest, size });
    if (sending === undefined || !sending.digest.equals(digest)) {
      if (this.sending.size >= MAX_SENDING) this.sending.delete(this.sending.keys().next().value!);
      sending = { digest, size, started: Date.now(), wireBytes: 0, rawBytes: 0, chunks: 0 };
      this.sending.set(path, sending);
    }
    return sending;
  }

  /** `entry` (the path's current index entry) lists this chunk (offset, length, hash) in the requested version. */
  private indexed(request: ChunkRequest, hash: Buffer, entry: IndexEntry): boolean {
    if (!entry.digest.equals(Buffer.from(request.digest))) return false;
    const chunk = this.chunkAt(request.path, entry.digest, request.offset);
    return chunk !== undefined && chunk.length === request.length && chunk.hash.equals(hash);
  }

  /** The chunk at `offset` in the version `digest` of `path` (the few versions being pulled are kept by offset). */
  private chunkAt(path: string, digest: Buffer, offset: number): StoredChunk | undefined {
    const key = digest.toString('hex');
    let byOffset = this.chunkOffsets.get(key);
    if (byOffset === undefined) {
      byOffset = new Map(this.options.index.chunksOf(path).map((chunk) => [chunk.offset, chunk]));
      this.chunkOffsets.set(key, byOffset);
      if (this.chunkOffsets.size > 4) this.chunkOffsets.delete(this.chunkOffsets.keys().next().value!);
    }
    return byOffset.get(offset);
  }

  /** The bytes of the requested chunk, from the named file or anywhere else we hold them. */
  private async findChunk(request: ChunkRequest): Promise<Buffer | undefined> {
    const { index, shareDir, stateDir, log } = this.options;
    if (request.length > MAX_CHUNK_BYTES) return undefined;
    const hash = Buffer.from(request.hash);
    const entry = index.get(request.path);
    const live = entry !== undefined && !entry.deleted && entry.type === 'file' ? entry : undefined;
    if (live !== undefined || this.options.isStreaming?.(request.path) === true) {
      try {
        const { data, stats } = await this.handles.read(await resolveSharePath(shareDir, request.path), request.offset, request.length);
        // The scanner hashed these bytes, and the file is as it saw them: no second hash on this side.
        if (live !== undefined && matchesStats(live, stats) && this.indexed(request, hash, live)) return data;
        if (sha256(data).equals(hash)) return data;
      } catch (err) {
        log.debug('supplier.read_failed', { path: request.path, err });
      }
    }
    const location = index.findChunk(hash);
    if (location === undefined || location.length !== request.length) return undefined;
    return readVerifiedAt(location, hash, shareDir, stateDir);
  }
}
