/**
 * The supplier answers a peer's transfer requests from our index and disk:
 * nodes of the chunk trees of the versions we have, and chunk bytes, each verified against its
 * hash before it leaves (a file edited since it was indexed yields VERSION_GONE,
 * never wrong bytes). One chunk is read at a time per request; nothing reads a
 * whole file.
 */
import { encodeChunk } from '../codec/lz4.js';
import { ErrorCode } from '../errors.js';
import { resolveSharePath } from '../fs/paths.js';
import type { StoredChunk, SyncIndex } from '../model/entries.js';
import { matchesStats } from '../model/file-stats.js';
import type { Logger } from '../log.js';
import type { ChunkRequest, Frame, TreeRequest } from '../protocol/messages.js';
import { wireBytes } from '../protocol/entries.js';
import { MAX_CHUNK_BYTES, readVerifiedAt, sha256 } from './chunk-io.js';
import { ReadHandles } from './read-handles.js';
import type { StatsCounter } from './stats.js';
import { TreeCache } from './tree-cache.js';

export interface SupplierOptions {
  index: SyncIndex;
  shareDir: string;
  stateDir: string;
  send(frame: Frame): Promise<void>;
  stats: StatsCounter;
  log: Logger;
}

export class Supplier {
  private readonly handles = new ReadHandles();
  private readonly trees: TreeCache;
  private readonly chunkOffsets = new Map<string, Map<number, StoredChunk>>();

  constructor(private readonly options: SupplierOptions) {
    this.trees = new TreeCache(options.index);
  }

  /** Closes the files kept open between requests. */
  close(): void {
    this.handles.closeAll();
  }

  /** Nodes of the tree of the version named by its root; VERSION_GONE when that is not our current version. */
  async answerTree(request: TreeRequest): Promise<void> {
    const { send } = this.options;
    const tree = this.trees.current(request.path, Buffer.from(request.digest));
    const reply = (nodes: Uint8Array<ArrayBuffer>[], errorCode: string) => send({ treeReply: { requestId: request.requestId, nodes, errorCode } });
    if (tree === undefined) return reply([], ErrorCode.VERSION_GONE);
    const nodes: Uint8Array<ArrayBuffer>[] = [];
    for (const hash of request.nodes) {
      const found = tree.nodes.get(Buffer.from(hash).toString('hex'));
      // Not a node of that version: the asker did not follow the tree down from its root.
      if (found === undefined) return reply([], ErrorCode.TREE_INVALID);
      nodes.push(wireBytes(found.encoded));
    }
    return reply(nodes, '');
  }

  async answerChunk(request: ChunkRequest): Promise<void> {
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
    stats.addSent(request.path, payload.length, data.length);
    await send({
      chunkReply: { requestId: request.requestId, hash: request.hash, compressed, payload: wireBytes(payload), errorCode: '' },
    });
  }

  /** The index lists this chunk (offset, length, hash) in the current version of its file. */
  private indexed(request: ChunkRequest, hash: Buffer): boolean {
    const entry = this.options.index.get(request.path);
    if (entry === undefined || !entry.digest.equals(Buffer.from(request.digest))) return false;
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
    if (entry && !entry.deleted && entry.type === 'file') {
      try {
        const { data, stats } = await this.handles.read(await resolveSharePath(shareDir, request.path), request.offset, request.length);
        // The scanner hashed these bytes, and the file is as it saw them: no second hash on this side.
        if (matchesStats(entry, stats) && this.indexed(request, hash)) return data;
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
