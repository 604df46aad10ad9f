/**
 * The supplier answers a peer's transfer requests from our index and disk:
 * chunk lists of the versions we have, and chunk bytes, each verified against its
 * hash before it leaves (a file edited since it was indexed yields VERSION_GONE,
 * never wrong bytes). One chunk is read at a time per request; nothing reads a
 * whole file.
 */
import { encodeChunk } from '../codec/lz4.js';
import { ErrorCode } from '../errors.js';
import { resolveSharePath } from '../fs/index.js';
import type { SyncIndex } from '../index/types.js';
import type { Logger } from '../log.js';
import type { ChunkListRequest, ChunkRequest, Frame } from '../protocol/messages.js';
import { toChunkRef, wireBytes } from '../peer/wire-entry.js';
import { MAX_CHUNK_BYTES, readVerifiedAt, sha256 } from './chunk-io.js';
import { ReadHandles } from './read-handles.js';
import type { StatsCounter } from './stats.js';

export interface SupplierOptions {
  index: SyncIndex;
  shareDir: string;
  stateDir: string;
  send(frame: Frame): Promise<void>;
  stats: StatsCounter;
  log: Logger;
  /** The peer served (for the transfer.sent line). */
  peerId?: string;
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

export class Supplier {
  private readonly handles = new ReadHandles();
  private readonly sending = new Map<string, Sending>();

  constructor(private readonly options: SupplierOptions) {}

  /** Closes the files kept open between requests. */
  close(): void {
    this.handles.closeAll();
  }

  async answerChunkList(request: ChunkListRequest): Promise<void> {
    const { index, send } = this.options;
    const entry = index.get(request.path);
    const current =
      entry !== undefined && !entry.deleted && entry.type === 'file' && entry.digest.equals(Buffer.from(request.digest));
    if (!current) {
      await send({
        chunkListReply: { requestId: request.requestId, size: 0, chunks: [], errorCode: ErrorCode.VERSION_GONE },
      });
      return;
    }
    this.sendingOf(request.path, Buffer.from(request.digest), entry.size);
    const chunks = index.chunksOf(request.path).map(toChunkRef);
    await send({ chunkListReply: { requestId: request.requestId, size: entry.size, chunks, errorCode: '' } });
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
    if (sending === undefined || !sending.digest.equals(digest)) {
      if (this.sending.size >= MAX_SENDING) this.sending.delete(this.sending.keys().next().value!);
      sending = { digest, size, started: Date.now(), wireBytes: 0, rawBytes: 0, chunks: 0 };
      this.sending.set(path, sending);
    }
    return sending;
  }

  /** The bytes of the requested chunk, from the named file or anywhere else we hold them. */
  private async findChunk(request: ChunkRequest): Promise<Buffer | undefined> {
    const { index, shareDir, stateDir, log } = this.options;
    if (request.length > MAX_CHUNK_BYTES) return undefined;
    const hash = Buffer.from(request.hash);
    const entry = index.get(request.path);
    if (entry && !entry.deleted && entry.type === 'file') {
      try {
        const data = await this.handles.read(await resolveSharePath(shareDir, request.path), request.offset, request.length);
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
