/**
 * The supplier answers a peer's transfer requests from our index and disk:
 * nodes of the chunk trees of the versions we have, and chunk bytes, each
 * verified against its hash before it leaves (a file edited since it was
 * indexed yields VERSION_GONE, never wrong bytes). A ChunkRequest names many
 * chunks; each run of contiguous chunks of one version in it is resolved once
 * (path, index entry, stats) and read with one read of at most
 * MAX_REQUEST_BYTES; nothing reads a whole file. Each chunk is one ChunkReply,
 * sent as soon as it is verified. How many answers run at once and how much
 * they hold is SupplyTurns' job.
 */
import { encodeChunk } from '../codec/lz4.js';
import { ErrorCode, LeftsyncError } from '../errors.js';
import { resolveSharePath } from '../fs/paths.js';
import type { IndexEntry, StoredChunk, SyncIndex } from '../model/entries.js';
import { matchesStats } from '../model/file-stats.js';
import type { Logger } from '../log.js';
import type { ChunkRequest, ChunkWant, Frame, TreeRequest } from '../protocol/messages.js';
import { wireBytes } from '../protocol/entries.js';
import type { PeerConnection } from '../transport/connection.js';
import { MAX_REQUEST_BYTES, readVerifiedAt, sha256 } from './chunk-io.js';
import { STREAM_DIGEST } from './growing-files.js';
import { ReadHandles } from './read-handles.js';
import type { TokenBucket } from './rate-limit.js';
import type { StatsCounter } from './stats.js';
import { SupplyTurns, type SupplierLoad } from './supply-turns.js';
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

export { MAX_ANSWERS_AT_ONCE, MAX_ANSWERING_BYTES, MAX_WAITING_REQUESTS, MAX_WAITING_WEIGHT, type SupplierLoad } from './supply-turns.js';

/** Runs up to this long are hashed to be verified (~3 us for 4 KiB) rather than checked against the index's chunk list (a query per file). */
const HASH_RATHER_THAN_LOOK_UP = 16 << 10;

/** What a waiting request costs besides its wants' paths (hashes, digests, object overhead). */
const WANT_WEIGHT = 160;

export class Supplier {
  private readonly handles = new ReadHandles();
  private readonly turns: SupplyTurns;
  private readonly sending = new Map<string, Sending>();
  private readonly trees: TreeCache;
  private readonly chunkOffsets = new Map<string, Map<number, StoredChunk>>();

  constructor(private readonly options: SupplierOptions) {
    this.trees = new TreeCache(options.index);
    this.turns = new SupplyTurns(options.reading, options.log);
  }

  get load(): SupplierLoad {
    return this.turns.load;
  }

  /** Closes the files kept open between requests; waiting requests fail without touching the disk. */
  close(): void {
    this.turns.close();
    this.handles.closeAll();
  }

  answerTree(request: TreeRequest): Promise<void> {
    return this.turns.run(0, WANT_WEIGHT + request.path.length + request.nodes.length * 40, () => this.tree(request));
  }

  /** Every want of `request` gets its own ChunkReply, in want order. */
  answerChunk(request: ChunkRequest): Promise<void> {
    let bytes = 0;
    let weight = 0;
    for (const want of request.wants) {
      bytes += want.length;
      weight += WANT_WEIGHT + want.path.length;
    }
    return this.turns.run(bytes, weight, () => this.chunks(request));
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

  private async chunks(request: ChunkRequest): Promise<void> {
    const { wants } = request;
    // The folders of this request's files are checked once for the request (a request names up to hundreds of small files).
    const checkedParents = new Set<string>();
    for (let start = 0; start < wants.length; ) {
      let end = start + 1;
      while (end < wants.length && continues(wants[end - 1]!, wants[end]!)) end++;
      const run = wants.slice(start, end);
      const entry = this.options.index.get(run[0]!.path);
      const { found, read } = await this.findRun(run, entry, checkedParents);
      const sending = this.sendingOf(run[0]!.path, Buffer.from(run[0]!.digest), entry?.size ?? 0);
      for (let k = 0; k < run.length; k++) await this.sendChunk(request.requestId, start + k, run[k]!, found[k], sending);
      // Every chunk of the run is framed (send() copies it out): its buffer can serve the next read.
      if (read !== undefined) this.handles.giveBack(read);
      start = end;
    }
  }

  private async sendChunk(requestId: number, index: number, want: ChunkWant, data: Buffer | undefined, sending: Sending): Promise<void> {
    const { send, stats } = this.options;
    if (data === undefined) {
      await send({
        chunkReply: { requestId, index, hash: want.hash, compressed: false, payload: new Uint8Array(0), errorCode: ErrorCode.VERSION_GONE },
      });
      return;
    }
    const { compressed, payload } = encodeChunk(data);
    // The payload is copied out of the codec's scratch buffer (or is `data`), so waiting here is safe.
    if (this.options.uploadLimit) await this.options.uploadLimit.take(payload.length);
    stats.addSent(want.path, payload.length, data.length);
    sending.wireBytes += payload.length;
    sending.rawBytes += data.length;
    sending.chunks++;
    await send({ chunkReply: { requestId, index, hash: want.hash, compressed, payload: wireBytes(payload), errorCode: '' } });
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

  /** `entry` (the path's current index entry, of the wanted version) lists this chunk (offset, length, hash). */
  private indexed(want: ChunkWant, hash: Buffer, entry: IndexEntry): boolean {
    const chunk = this.chunkAt(want.path, entry.digest, want.offset);
    return chunk !== undefined && chunk.length === want.length && chunk.hash.equals(hash);
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

  /**
   * The bytes of each chunk of `run` (contiguous chunks of one version; `entry`
   * its path's index entry), from the named file with one read, or from anywhere else we hold them; undefined
   * for a chunk found nowhere as asked.
   */
  private async findRun(run: ChunkWant[], entry: IndexEntry | undefined, checkedParents: Set<string>): Promise<FoundRun> {
    const { index, shareDir, stateDir, log } = this.options;
    const found: (Buffer | undefined)[] = run.map(() => undefined);
    let read: Buffer | undefined;
    const first = run[0]!;
    const last = run[run.length - 1]!;
    const length = last.offset + last.length - first.offset;
    const live = entry !== undefined && !entry.deleted && entry.type === 'file' ? entry : undefined;
    // A file the node is still hashing (streaming sync) is read too: every chunk of it is hashed below.
    if ((live !== undefined || this.options.isStreaming?.(first.path) === true) && length <= MAX_REQUEST_BYTES) {
      try {
        const { data, stats } = await this.handles.read(await resolveSharePath(shareDir, first.path, checkedParents), first.offset, length);
        read = data;
        // The scanner hashed these bytes, and the file is as it saw them: no second hash on this side.
        // A short run is hashed anyway: that costs less than looking its chunks up.
        const asIndexed = length > HASH_RATHER_THAN_LOOK_UP && live !== undefined && matchesStats(live, stats) && Buffer.compare(live.digest, first.digest) === 0;
        run.forEach((want, k) => {
          const bytes = data.subarray(want.offset - first.offset, want.offset - first.offset + want.length);
          const hash = Buffer.from(want.hash);
          if ((asIndexed && this.indexed(want, hash, live)) || sha256(bytes).equals(hash)) found[k] = bytes;
        });
      } catch (err) {
        log.debug('supplier.read_failed', { path: first.path, err });
      }
    }
    for (let k = 0; k < run.length; k++) {
      if (found[k] !== undefined) continue;
      const hash = Buffer.from(run[k]!.hash);
      const location = index.findChunk(hash);
      if (location !== undefined && location.length === run[k]!.length) found[k] = await readVerifiedAt(location, hash, shareDir, stateDir);
    }
    return { found, read };
  }
}

/** The bytes of each chunk of a run (undefined: found nowhere), and the buffer of the one read they are views of. */
interface FoundRun {
  found: (Buffer | undefined)[];
  read: Buffer | undefined;
}

/** `next` is the chunk right after `want` in the same version of the same file. */
function continues(want: ChunkWant, next: ChunkWant): boolean {
  return next.path === want.path && next.offset === want.offset + want.length && Buffer.compare(next.digest, want.digest) === 0;
}
