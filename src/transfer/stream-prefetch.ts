/**
 * Streaming sync, the receiver's half on one link: GrowingFile frames from the
 * peer name the chunks of a file it is still hashing; the chunks are fetched
 * several per request, as the pull's are (a bounded window in flight), each
 * verified against its published hash by the fetch, and written into the
 * path's stream partial (GrowingFiles). That
 * is all: no file is placed from here. When the file's index entry arrives,
 * the normal pull adopts the partial and counts what is there.
 *
 * A pass stops when the peer abandons it (its partial is dropped), when its
 * list breaks (a chunk not where the previous one ended: a broken or lying
 * peer), when the supplier no longer has a chunk (the file changed; the entry
 * or an abandon follows), when a chunk fails verification, when the pull
 * adopts the partial, or when the link closes.
 */
import type { StoredChunk, SyncIndex } from '../model/entries.js';
import { compareVersions } from '../model/version.js';
import { MAX_REQUEST_BYTES, MAX_WANTS_PER_REQUEST } from '../protocol/limits.js';
import type { Logger } from '../log.js';
import type { GrowingFile } from '../protocol/messages.js';
import { BufferPool } from '../transport/buffer-pool.js';
import type { Fetched } from './chunk-fetch.js';
import type { GrowingFiles, GrowingPartial } from './growing-files.js';
import { isZeroChunk } from './temp-file.js';
import { VersionGone } from './tree-fetch.js';

/** Streams followed at once per link. */
export const MAX_STREAMS_PER_LINK = 4;

export interface StreamPrefetchOptions {
  growing: GrowingFiles;
  /**
   * Chunks of the stream of `path` from this link's peer, in one request, each verified against its hash
   * (or gone: the peer no longer has it), decoded into `landing` one after another (their total length).
   */
  fetch(path: string, chunks: StoredChunk[], landing: Buffer): Promise<Fetched[]>;
  /** Whether this node would take a new version of `path` from this peer now (ignore rules, no newer local change, share there). */
  wants(path: string): Promise<boolean>;
  /**
   * Whether this node already holds a chunk with this hash (any file): such a chunk is left to
   * the final pull, which copies it locally, so a copy of a local file never crosses the wire.
   */
  holdsLocally(chunk: StoredChunk): boolean;
  log: Logger;
  /** Chunk requests in flight per stream (default 16). */
  windowChunks?: number;
  /** Requested bytes in flight per stream (default 2 MiB). */
  windowBytes?: number;
  /**
   * Bytes asked for in one request (default 512 KiB, as the pull's): a request per chunk cost a
   * frame each way, and the supplier a read, for each of the ~7,000 chunks of a 500 MiB file.
   */
  requestBytes?: number;
}

/** One hash pass of one file, as followed on this link. */
interface Pass {
  path: string;
  id: number;
  size: number;
  /** Where the next published chunk must start. */
  end: number;
  queue: StoredChunk[];
  inFlight: number;
  inFlightBytes: number;
  /** The stream partial this pass writes (set once claimed, kept after: abandon drops only that one). */
  partial: GrowingPartial | null;
  /** The peer said the list is complete. */
  done: boolean;
  /** Not (or no longer) fetching. */
  stopped: boolean;
  /** Resolved once stopped and nothing is in flight. */
  settled: (() => void)[];
  /** What GrowingFiles calls to stop this pass. */
  stopWriter: () => Promise<void>;
  ended: boolean;
}

/**
 * Whether a new version of `relPath` from `peerId` would replace what we hold
 * without a conflict: nothing there (or a tombstone), or a file version the
 * peer has seen (its latest entry is that version or a later one). A change
 * of ours the peer has not seen, or a folder or link there, is not prefetched.
 */
export function replaceableBy(index: SyncIndex, peerId: string, relPath: string): boolean {
  const local = index.get(relPath);
  if (local === undefined || local.deleted) return true;
  const seen = index.remoteEntry(peerId, relPath);
  if (local.type !== 'file' || seen === undefined) return false;
  const order = compareVersions(local.version, seen.version);
  return order === 'equal' || order === 'lesser';
}

/** Passes that ended, remembered by id so their late frames start nothing (and a late abandon still drops their partial). */
const FINISHED_KEPT = 64;

export class StreamPrefetch {
  private readonly passes = new Map<string, Pass>();
  private readonly finished = new Map<number, GrowingPartial | null>();
  private readonly windowChunks: number;
  private readonly windowBytes: number;
  private readonly requestBytes: number;
  /** Where fetched chunks land until written: the same few buffers for a whole file (see buffer-pool.ts). */
  private readonly landings: BufferPool;
  private closed = false;

  constructor(private readonly options: StreamPrefetchOptions) {
    this.windowChunks = options.windowChunks ?? 16;
    this.windowBytes = options.windowBytes ?? 2 * 1024 * 1024;
    // Within the protocol's limits for one request, as packRequests keeps the pull's.
    this.requestBytes = Math.min(options.requestBytes ?? 512 * 1024, MAX_REQUEST_BYTES);
    // A request's landing is at least requestBytes (and at most that or one chunk), so they share one list.
    this.landings = new BufferPool(this.windowBytes + this.requestBytes, this.requestBytes);
  }

  onGrowing(message: GrowingFile): void {
    if (this.closed) return;
    if (this.finished.has(message.streamId)) {
      // A pass that stopped early (the supplier no longer had a chunk: the file changed) hears now why.
      const partial = this.finished.get(message.streamId);
      if (message.abandoned && partial) void this.dropAbandoned(message.path, partial);
      return;
    }
    let pass = this.passes.get(message.path);
    if (pass !== undefined && pass.id !== message.streamId) {
      // A new hash pass of the path: the old one is over (its partial serves the new one if the size is the same).
      void this.stop(pass);
      this.passes.delete(message.path);
      pass = undefined;
    }
    if (pass === undefined) {
      if (this.passes.size >= MAX_STREAMS_PER_LINK) return;
      pass = this.begin(message);
    }
    for (const wire of message.chunks) {
      const chunk: StoredChunk = { offset: wire.offset, length: wire.length, hash: Buffer.from(wire.hash) };
      if (chunk.offset !== pass.end) {
        this.options.log.warn('stream.list_broken', { path: pass.path, offset: chunk.offset, expected: pass.end });
        void this.abandon(pass);
        return;
      }
      pass.end += chunk.length;
      pass.queue.push(chunk);
    }
    if (message.abandoned) {
      void this.abandon(pass);
      return;
    }
    pass.done ||= message.done;
    this.pump(pass);
  }

  /** The link is gone: fetching stops; the partials wait for a pull or another link (GrowingFiles). */
  close(): void {
    this.closed = true;
    for (const pass of [...this.passes.values()]) void this.stop(pass);
  }

  private begin(message: GrowingFile): Pass {
    const pass: Pass = {
      path: message.path, id: message.streamId, size: message.size, end: 0, queue: [], inFlight: 0, inFlightBytes: 0,
      partial: null, done: false, stopped: false, settled: [], stopWriter: () => Promise.resolve(), ended: false,
    };
    pass.stopWriter = () => this.stop(pass);
    this.passes.set(message.path, pass);
    // Fetching starts once the partial is open; chunks published meanwhile wait in the queue.
    pass.inFlight++;
    void (async () => {
      try {
        if (!(await this.options.wants(pass.path))) return void (pass.stopped = true);
        pass.partial = (await this.options.growing.claim(pass.path, pass.size, pass.stopWriter)) ?? null;
        if (pass.partial === null) pass.stopped = true;
        else this.options.log.info('stream.following', { path: pass.path, stream: pass.id, size: pass.size, resumable: pass.partial.earlier.size });
      } catch (err) {
        pass.stopped = true;
        this.options.log.warn('stream.open_failed', { path: pass.path, err });
      } finally {
        pass.inFlight--;
        this.pump(pass);
      }
    })();
    return pass;
  }

  /** Starts the next requests for the queue, within the window; a pass with nothing left to do ends. */
  private pump(pass: Pass): void {
    const partial = pass.partial;
    if (!pass.stopped && partial !== null) {
      // A request starts where a whole one fits the window, so none is cut short by it.
      while (pass.queue.length > 0 && pass.inFlight < this.windowChunks && (pass.inFlight === 0 || pass.inFlightBytes + this.requestBytes <= this.windowBytes)) {
        const chunks = this.nextRequest(pass, partial);
        if (chunks.length === 0) continue;
        const bytes = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
        pass.inFlight++;
        pass.inFlightBytes += bytes;
        this.take(pass, partial, chunks)
          .catch((err: unknown) => {
            if (pass.stopped) return;
            pass.stopped = true;
            const offset = err instanceof StreamChunkError ? err.offset : chunks[0]!.offset;
            const cause = err instanceof StreamChunkError ? err.cause : err;
            if (cause instanceof VersionGone) this.options.log.debug('stream.gone', { path: pass.path, offset });
            else this.options.log.warn('stream.fetch_failed', { path: pass.path, offset, err: cause });
          })
          .finally(() => {
            pass.inFlight--;
            pass.inFlightBytes -= bytes;
            this.pump(pass);
          });
      }
      // The whole list is here: the partial waits for the pull (GrowingFiles keeps it).
      if (pass.done && pass.queue.length === 0 && pass.inFlight === 0) pass.stopped = true;
    }
    if (pass.stopped) this.settle(pass);
  }

  /**
   * The queue's next chunks to fetch, in order, up to requestBytes and MAX_WANTS_PER_REQUEST (at
   * least one); chunks the partial holds, holes and chunks held locally are taken off on the way.
   */
  private nextRequest(pass: Pass, partial: GrowingPartial): StoredChunk[] {
    const chunks: StoredChunk[] = [];
    let bytes = 0;
    while (pass.queue.length > 0) {
      const next = pass.queue[0]!;
      if (chunks.length > 0 && (bytes + next.length > this.requestBytes || chunks.length >= MAX_WANTS_PER_REQUEST)) break;
      pass.queue.shift();
      if (partial.holds(next)) continue;
      if (isZeroChunk(next)) {
        partial.hole(next);
        continue;
      }
      if (this.options.holdsLocally(next)) continue;
      chunks.push(next);
      bytes += next.length;
    }
    return chunks;
  }

  /**
   * Chunks into the partial: read back if an earlier process left them, the others fetched in one
   * request. Each verified chunk is written, in order, up to the first that is gone or failed,
   * which is thrown (as a StreamChunkError).
   */
  private async take(pass: Pass, partial: GrowingPartial, chunks: StoredChunk[]): Promise<void> {
    const wanted: StoredChunk[] = [];
    for (const chunk of chunks) if (!(await partial.readBack(chunk))) wanted.push(chunk);
    if (wanted.length === 0) return;
    const landing = this.landings.take(wanted.reduce((sum, chunk) => sum + chunk.length, 0));
    try {
      const fetched = await this.options.fetch(pass.path, wanted, landing);
      // Written even when the pass was stopped meanwhile: whoever stopped it waits for these writes before taking the file.
      for (const [i, chunk] of wanted.entries()) {
        const result = fetched[i]!;
        if (result.outcome === 'gone') throw new StreamChunkError(chunk.offset, new VersionGone());
        if (result.outcome === 'failed') throw new StreamChunkError(chunk.offset, result.error);
        await partial.write(chunk, result.data);
      }
    } finally {
      this.landings.give(landing);
    }
  }

  /** Stops fetching; resolves once nothing of this pass is in flight (its writes have landed). */
  private stop(pass: Pass): Promise<void> {
    pass.stopped = true;
    pass.queue = [];
    const settled = new Promise<void>((resolve) => pass.settled.push(resolve));
    this.settle(pass);
    return settled;
  }

  private async abandon(pass: Pass): Promise<void> {
    await this.stop(pass);
    if (pass.partial !== null) await this.dropAbandoned(pass.path, pass.partial);
  }

  private async dropAbandoned(relPath: string, partial: GrowingPartial): Promise<void> {
    this.options.log.info('stream.abandoned', { path: relPath });
    await this.options.growing.drop(relPath, partial);
  }

  /** A stopped pass with nothing in flight: waiters told, partial handed back, the pass forgotten. */
  private settle(pass: Pass): void {
    if (pass.inFlight > 0) return;
    for (const resolve of pass.settled.splice(0)) resolve();
    if (pass.ended) return;
    pass.ended = true;
    if (this.passes.get(pass.path) === pass) this.passes.delete(pass.path);
    this.finished.set(pass.id, pass.partial);
    if (this.finished.size > FINISHED_KEPT) this.finished.delete(this.finished.keys().next().value!);
    if (pass.partial !== null) this.options.growing.release(pass.partial, pass.stopWriter);
  }
}

/** Why a stream's chunk at `offset` was not taken (VersionGone, or its fetch's error). */
class StreamChunkError extends Error {
  constructor(
    readonly offset: number,
    override readonly cause: unknown,
  ) {
    super(`stream chunk at ${offset}`);
  }
}
