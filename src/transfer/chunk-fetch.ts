/**
 * Chunks fetched from the peer, many per ChunkRequest (protocol version 4):
 * a request names up to MAX_WANTS_PER_REQUEST chunks and MAX_REQUEST_BYTES,
 * and each want comes back as its own ChunkReply. Every chunk is decoded and
 * checked against its hash before anyone sees it; a bad one is asked again
 * (alone with the others that failed), up to maxChunkTries times, and never
 * handed on. VERSION_GONE is per want: one file gone does not fail the others
 * of the same request.
 */
import { decodeChunk } from '../codec/lz4.js';
import { ErrorCode, LeftsyncError } from '../errors.js';
import type { Logger } from '../log.js';
import type { IndexEntry, StoredChunk } from '../model/entries.js';
import { wireBytes } from '../protocol/entries.js';
import { MAX_REQUEST_BYTES, MAX_WANTS_PER_REQUEST } from '../protocol/limits.js';
import type { ChunkReply, Frame, TreeReply } from '../protocol/messages.js';
import { sha256 } from './chunk-io.js';
import type { RequestTracker } from './requests.js';
import type { StatsCounter } from './stats.js';

/** One chunk of one remote version. */
export interface Want {
  /** The version: its path and root (a file the peer still hashes has STREAM_DIGEST). */
  remote: Pick<IndexEntry, 'path' | 'digest'>;
  chunk: StoredChunk;
}

/** What became of one want: its verified bytes (and what they cost on the wire), gone, or failed. */
export type Fetched =
  | { outcome: 'ok'; data: Buffer; wireLength: number }
  | { outcome: 'gone' }
  | { outcome: 'failed'; error: LeftsyncError };

export interface ChunkFetchOptions {
  /** The link's requests (tree requests share its ids). */
  requests: RequestTracker<TreeReply | ChunkReply>;
  send(frame: Frame): Promise<void>;
  stats: StatsCounter;
  log: Logger;
  /** The remote peer (for logs). */
  peerId: string;
  /** Attempts per chunk before it fails. */
  maxChunkTries: number;
}

/**
 * Splits `wants` into requests within the limits, in order: at most `maxWants`
 * (and MAX_WANTS_PER_REQUEST) wants and `maxBytes` (and MAX_REQUEST_BYTES) each.
 */
export function packRequests<T extends { chunk: StoredChunk }>(wants: T[], maxWants: number, maxBytes: number): T[][] {
  const wantCap = Math.max(1, Math.min(maxWants, MAX_WANTS_PER_REQUEST));
  const byteCap = Math.min(maxBytes, MAX_REQUEST_BYTES);
  const packs: T[][] = [];
  let pack: T[] = [];
  let bytes = 0;
  for (const want of wants) {
    if (pack.length > 0 && (pack.length >= wantCap || bytes + want.chunk.length > byteCap)) {
      packs.push(pack);
      pack = [];
      bytes = 0;
    }
    pack.push(want);
    bytes += want.chunk.length;
  }
  if (pack.length > 0) packs.push(pack);
  return packs;
}

export class ChunkFetcher {
  constructor(private readonly options: ChunkFetchOptions) {}

  /**
   * The wants of one request (see packRequests), each verified. Rejects only
   * when the request as a whole fails (link closed, the peer's Error frame).
   * With `landing` (at least the wants' total length), each chunk is decoded
   * into its place there, the wants' in order, as its reply arrives: the
   * results are views of it, and the frames they came in are garbage at once.
   */
  async fetch(wants: Want[], landing?: Buffer): Promise<Fetched[]> {
    const { log, peerId, maxChunkTries } = this.options;
    const results: Fetched[] = new Array(wants.length);
    const places: (Buffer | undefined)[] = new Array(wants.length);
    if (landing !== undefined) {
      let at = 0;
      wants.forEach(({ chunk }, i) => {
        places[i] = landing.subarray(at, at + chunk.length);
        at += chunk.length;
      });
    }
    let asking = wants.map((_, i) => i);
    for (let attempt = 1; asking.length > 0; attempt++) {
      const checked = await this.request(asking.map((i) => wants[i]!), (reply, k) => {
        const i = asking[k]!;
        return this.check(wants[i]!.remote, wants[i]!.chunk, reply, places[i]);
      });
      const bad: number[] = [];
      checked.forEach((result, k) => {
        const i = asking[k]!;
        const { remote, chunk } = wants[i]!;
        if (result !== 'bad') {
          results[i] = result;
          return;
        }
        log.warn('transfer.chunk_bad', { path: remote.path, peer: peerId, offset: chunk.offset, attempt });
        if (attempt < maxChunkTries) bad.push(i);
        else {
          const error = new LeftsyncError(ErrorCode.CHUNK_HASH_MISMATCH, `${remote.path}: chunk at ${chunk.offset} failed verification ${attempt} times`);
          results[i] = { outcome: 'failed', error };
        }
      });
      asking = bad;
    }
    return results;
  }

  /** One reply against its want: decoded (into `place` when given) and verified, or 'bad' (to be asked again). */
  private check(remote: Want['remote'], chunk: StoredChunk, reply: ChunkReply, place: Buffer | undefined): Fetched | 'bad' {
    const { stats, log, peerId } = this.options;
    if (reply.errorCode === ErrorCode.VERSION_GONE) return { outcome: 'gone' };
    if (reply.errorCode !== '') {
      return { outcome: 'failed', error: new LeftsyncError(ErrorCode.PROTO_MALFORMED, `chunk of ${remote.path}: peer answered ${reply.errorCode}`) };
    }
    stats.addReceived(remote.path, reply.payload.length, chunk.length);
    let data: Buffer | undefined;
    try {
      data = decodeChunk(reply.payload, reply.compressed, chunk.length, place);
    } catch (err) {
      log.warn('transfer.chunk_undecodable', { path: remote.path, peer: peerId, offset: chunk.offset, err });
      return 'bad';
    }
    if (data.length !== chunk.length || !sha256(data).equals(chunk.hash)) return 'bad';
    return { outcome: 'ok', data, wireLength: reply.payload.length };
  }

  /** Sends one ChunkRequest for `wants`; each reply goes through `check` as it arrives, the results in want order. */
  private async request(wants: Want[], check: (reply: ChunkReply, index: number) => Fetched | 'bad'): Promise<(Fetched | 'bad')[]> {
    const { id, replies } = this.options.requests.openMany(wants.length, (reply) => (reply as ChunkReply).index, (reply, k) => check(reply as ChunkReply, k));
    const frame: Frame = {
      chunkRequest: {
        requestId: id,
        wants: wants.map(({ remote, chunk }) => ({
          path: remote.path,
          digest: wireBytes(remote.digest),
          offset: chunk.offset,
          length: chunk.length,
          hash: wireBytes(chunk.hash),
        })),
      },
    };
    // Awaited together so a failed send never leaves the replies' promise unobserved.
    const [, answers] = await Promise.all([id === 0 ? Promise.resolve() : this.options.send(frame), replies]);
    return answers;
  }
}
