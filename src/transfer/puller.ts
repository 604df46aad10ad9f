/**
 * The puller brings one remote file version into the share: it resolves the
 * version's chunk list from its root (tree-fetch.ts: only the tree nodes we do
 * not hold cross the wire, each checked against its parent), takes every chunk
 * it can from local files or partial downloads, requests the rest many chunks
 * per request (chunk-fetch.ts) with a window of bytes in flight, verifies each
 * chunk before writing it at its offset into a temp file under <stateDir>/tmp
 * (TempFile), a run of contiguous chunks with one write. The list came from the
 * root and every chunk matched its hash, so the file is the version by
 * construction: no second pass hashes the whole file; TempFile checks only
 * that every chunk landed. Its job ends at that temp file: the applier moves
 * it into place and records it.
 */
import { unlink } from 'node:fs/promises';
import { CHUNK_SIZES } from '../chunker/params.js';
import { ErrorCode, LeftsyncError } from '../errors.js';
import { finishTempFile } from '../fs/write.js';
import type { IndexEntry, StoredChunk, SyncIndex } from '../model/entries.js';
import { matchesStats } from '../model/file-stats.js';
import type { Logger } from '../log.js';
import type { ChunkReply, Frame, TreeReply } from '../protocol/messages.js';
import { BufferPool } from '../transport/buffer-pool.js';
import { ChunkFetcher, packRequests, type Fetched, type Want } from './chunk-fetch.js';
import { deliverRuns } from './deliver-runs.js';
import { chunkKey, copyLocalChunks, ownChunks, verifyResumed, type LocalChunk } from './local-copy.js';
import { dropPartialsOf, openPartial } from './partials.js';
import { RequestTracker } from './requests.js';
import { pullSmallFiles, type SmallPull } from './small-files.js';
import type { StatsCounter } from './stats.js';
import type { PullEvents } from './progress.js';
import type { PullCounts, VerifiedFile } from './verified-file.js';
import { TempFile, isZeroChunk, runLength } from './temp-file.js';
import { TreeCache } from './tree-cache.js';
import { VersionGone, fetchChunkList } from './tree-fetch.js';
import { STREAM_DIGEST, type GrowingFiles } from './growing-files.js';

export interface PullerOptions {
  index: SyncIndex;
  shareDir: string;
  stateDir: string;
  /** The remote peer (for logs). */
  peerId: string;
  send(frame: Frame): Promise<void>;
  stats: StatsCounter;
  /** Transfer progress and synced files, for the status API and --json. */
  events: PullEvents;
  log: Logger;
  /** Most chunks asked for and not yet written, per file (default 1024). */
  windowChunks?: number;
  /** Most requested bytes in flight per file (default 4 MiB: a few files pull at once, and RSS must stay bounded; 8 MiB was no faster and cost the sender ~20 MB). */
  windowBytes?: number;
  /** Most bytes asked for in one ChunkRequest (default 512 KiB, at most MAX_REQUEST_BYTES). */
  requestBytes?: number;
  /** Attempts per chunk before a file is given up (default 3). */
  maxChunkTries?: number;
  /** The node's stream partials (streaming sync): a pull adopts the one of its path. */
  growing?: GrowingFiles;
}

/**
 * 'verified': `file` is ready to be placed. 'gone': the source no longer has
 * that version (a newer index entry will follow).
 */
export type PullResult = { outcome: 'verified'; file: VerifiedFile } | { outcome: 'gone' };

/** Largest run of local chunks copied with one read and one write (at least MAX_CHUNK_BYTES). */
const LOCAL_RUN_BYTES = 4 * 1024 * 1024;

type Reply = TreeReply | ChunkReply;

export class Puller {
  private readonly requests = new RequestTracker<Reply>();
  private readonly windowChunks: number;
  private readonly windowBytes: number;
  private readonly requestBytes: number;
  /** Where each request of a file's chunks lands as its replies arrive (ChunkFetcher.fetch), until written. */
  private readonly packBuffers: BufferPool;
  private readonly fetcher: ChunkFetcher;
  /** Trees of our own versions: the nodes a pull of a newer version need not fetch. */
  private readonly trees: TreeCache;

  constructor(private readonly options: PullerOptions) {
    this.trees = new TreeCache(options.index);
    this.windowChunks = options.windowChunks ?? 1024;
    this.windowBytes = options.windowBytes ?? 4 * 1024 * 1024;
    this.requestBytes = options.requestBytes ?? 512 * 1024;
    // Requests in the window, and one more kept free; a request's block is at least requestBytes, so requests a little shorter share them.
    this.packBuffers = new BufferPool(this.windowBytes + this.requestBytes, this.requestBytes);
    const { send, stats, log, peerId } = options;
    this.fetcher = new ChunkFetcher({ requests: this.requests, send, stats, log, peerId, maxChunkTries: options.maxChunkTries ?? 3 });
  }

  /** Routes a TreeReply or ChunkReply to its request; false if nobody asked. */
  onReply(reply: Reply): boolean {
    return this.requests.settle(reply.requestId, reply);
  }

  /** An Error frame naming one of our requests. */
  onRequestError(requestId: number, err: LeftsyncError): boolean {
    return this.requests.fail(requestId, err);
  }

  /** The link is gone: every outstanding request fails; later pulls fail at once. */
  close(reason: string): void {
    this.requests.close(reason);
  }

  get outstanding(): number {
    return this.requests.size;
  }

  /** Pulls `remote` (a live file entry) into a verified temp file. */
  async pull(remote: IndexEntry): Promise<PullResult> {
    const { log, peerId } = this.options;
    // A small file's one chunk is known from its entry: no tree round trip.
    let chunks = singleChunkOf(remote);
    let tree = { treeNodes: 0, treeBytes: 0 };
    if (chunks === null) {
      try {
        ({ chunks, ...tree } = await fetchChunkList(remote, this.trees, (treeRequest) => this.request<TreeReply>({ treeRequest })));
      } catch (err) {
        if (!(err instanceof VersionGone)) throw err;
        log.info('transfer.gone', { path: remote.path, peer: peerId, stage: 'tree' });
        return { outcome: 'gone' };
      }
    }
    const result = await this.fillUnlessGone(remote, chunks, tree);
    if (result !== 'gone') return result;
    log.info('transfer.gone', { path: remote.path, peer: peerId, stage: 'chunk' });
    return { outcome: 'gone' };
  }

  /**
   * Small files (singleChunkOf(remote) !== null) pulled together: see
   * pullSmallFiles. Their chunks go in as few requests as the limits allow,
   * all sent at once (a batch is bounded by the session).
   */
  pullSmall(remotes: IndexEntry[]): Promise<SmallPull[]> {
    const { index, shareDir, stateDir, events } = this.options;
    const fetch = async (wants: Want[]): Promise<Fetched[]> => {
      const packs = packRequests(wants, this.windowChunks, this.requestBytes);
      return (await Promise.all(packs.map((pack) => this.fetcher.fetch(pack)))).flat();
    };
    return pullSmallFiles(remotes, remotes.map((r) => singleChunkOf(r) ?? []), { index, shareDir, stateDir, events, fetch });
  }

  private async fillUnlessGone(remote: IndexEntry, chunks: StoredChunk[], tree: { treeNodes: number; treeBytes: number }): Promise<PullResult | 'gone'> {
    try {
      return await this.fill(remote, chunks, tree);
    } catch (err) {
      if (err instanceof VersionGone) return 'gone';
      throw err;
    }
  }

  private async fill(remote: IndexEntry, chunks: StoredChunk[], tree: { treeNodes: number; treeBytes: number }): Promise<PullResult> {
    const { index, shareDir, stateDir } = this.options;
    const startedMs = Date.now();
    const { partial, tempPath, trusted } = await openPartial(index, stateDir, remote, chunks, this.options.growing);
    const counts: PullCounts = { reused: 0, resumed: 0, fetched: 0, bytesReceived: 0, ...tree };
    const file = await TempFile.open(tempPath, partial, remote.size, chunks, index);
    const progress = this.options.events.transfer(remote, chunks.reduce((n, c) => n + (partial.verifiedOffsets.has(c.offset) ? c.length : 0), 0));
    let verified = false;
    try {
      const missing: StoredChunk[] = [];
      const local: LocalChunk[] = [];
      const sameFile = ownChunks(index, remote.path);
      // No whole-file check follows, so chunks of an earlier attempt are read back
      // and verified before they count (a machine crash may have lost their bytes
      // but not their record); only those that fail are taken again.
      // Chunks this process streamed in (trusted) were verified as they were written: not read back.
      for (const chunk of chunks) if (trusted.has(chunk.offset)) file.resumed(chunk);
      const toCheck = trusted.size === 0 ? chunks : chunks.filter((chunk) => !trusted.has(chunk.offset));
      const again = await verifyResumed(toCheck, partial, { shareDir, stateDir, resumed: (chunk) => file.resumed(chunk) });
      const spoiled = new Set(again.map((chunk) => chunk.offset));
      counts.resumed = chunks.filter((c) => partial.verifiedOffsets.has(c.offset)).length - spoiled.size;
      for (const chunk of chunks) {
        if (partial.verifiedOffsets.has(chunk.offset) && !spoiled.has(chunk.offset)) continue;
        if (isZeroChunk(chunk)) {
          file.hole(chunk);
          progress.add(chunk.length);
          counts.reused++;
          continue;
        }
        // Our own version of the path first: its chunks lie in the same order, so they copy in long runs.
        const location = sameFile.get(chunkKey(chunk)) ?? index.findChunk(chunk.hash);
        if (location !== undefined && location.length === chunk.length) local.push({ chunk, location });
        else missing.push(chunk);
      }
      const writeRun = async (run: StoredChunk[], data: Buffer | readonly Buffer[]): Promise<void> => {
        await file.writeRun(run, data);
        progress.add(runLength(data));
      };
      try {
        // Local chunks are copied while the missing ones are fetched; a local
        // chunk that fails its check (the source changed) is fetched afterwards.
        const [copied, fetched] = await Promise.allSettled([
          // No 1 MiB read buffer for a pull with nothing to copy (most small files).
          copyLocalChunks(local, {
            shareDir,
            stateDir,
            buffer: Buffer.allocUnsafe(local.length > 0 ? LOCAL_RUN_BYTES : 0),
            writeRun,
            unchanged: (location, stats) => {
              const entry = index.get(location.path);
              return entry !== undefined && !entry.deleted && entry.type === 'file' && matchesStats(entry, stats);
            },
          }),
          this.fetchMissing(remote, missing, writeRun, counts),
        ]);
        if (fetched.status === 'rejected') throw fetched.reason;
        if (copied.status === 'rejected') throw copied.reason;
        counts.reused += local.length - copied.value.length;
        if (copied.value.length > 0) await this.fetchMissing(remote, copied.value, writeRun, counts);
      } finally {
        // Whatever landed before a failure stays usable for the next attempt.
        file.record();
      }
      if (!(await file.complete())) {
        index.dropPartial(partial.tempName);
        await unlink(tempPath).catch(() => undefined);
        throw new LeftsyncError(ErrorCode.DIGEST_MISMATCH, `${remote.path}: the assembled file is not every chunk of its version`);
      }
      // Mode, mtime and fsync of the temp file happen here, before the applier's
      // scan-locked step: that step runs one apply at a time, so it keeps only rename + fsync(folder).
      await finishTempFile(tempPath, { mtimeMs: remote.mtimeMs, mode: remote.mode });
      verified = true;
      return { outcome: 'verified', file: { tempPath, tempName: partial.tempName, chunks, counts, startedMs, progress } };
    } finally {
      if (!verified) progress.end();
      await file.close();
    }
  }

  /** Fetches `list`; repeated content (runs of zeros, duplicated blocks) crosses the wire once. */
  private fetchMissing(
    remote: IndexEntry,
    list: StoredChunk[],
    writeRun: (run: StoredChunk[], data: Buffer | readonly Buffer[]) => Promise<void>,
    counts: PullCounts,
  ): Promise<void> {
    const sameContent = new Map<string, StoredChunk[]>();
    for (const chunk of list) {
      const key = chunkKey(chunk);
      const group = sameContent.get(key);
      if (group) group.push(chunk);
      else sameContent.set(key, [chunk]);
    }
    const toFetch = [...sameContent.values()].map((group) => group[0]!);
    return this.fetchAll(remote, toFetch, async (run, parts, wireLength) => {
      // The run in one write; the copies of repeated content after it, one by one.
      await writeRun(run, parts);
      for (let k = 0; k < run.length; k++) {
        const group = sameContent.get(chunkKey(run[k]!))!;
        counts.reused += group.length - 1;
        for (const target of group.slice(1)) await writeRun([target], parts[k]!);
      }
      counts.fetched += run.length;
      counts.bytesReceived += wireLength;
    });
  }

  /**
   * The applier placed these files and recorded them: their partial downloads,
   * and those of older versions of their paths, are done with (the partials
   * looked at once however many files).
   */
  async placed(placed: { remote: IndexEntry; file: VerifiedFile }[]): Promise<void> {
    const { index, stats, log, peerId } = this.options;
    for (const { file } of placed) if (file.tempName !== '') index.dropPartial(file.tempName);
    await dropPartialsOf(index, this.options.stateDir, new Set(placed.map((p) => p.remote.path)));
    for (const { remote, file } of placed) {
      const { reused, resumed, fetched, bytesReceived, treeNodes, treeBytes } = file.counts;
      stats.addReused(reused);
      stats.fileDone();
      const { path, size } = remote;
      log.info('transfer.done', {
        path,
        peer: peerId,
        size,
        bytesReceived,
        chunksReused: reused,
        chunksResumed: resumed,
        chunksFetched: fetched,
        treeNodes,
        treeBytes,
        ms: Date.now() - file.startedMs,
        bytesSaved: Math.max(0, size - bytesReceived),
      });
    }
  }

  /**
   * Fetches `missing` (in file order), many chunks per request, with a window
   * of bytes and chunks in flight; each request's contiguous chunks go to
   * `deliver` as one run. Waits for every request before failing.
   */
  private fetchAll(
    remote: IndexEntry,
    missing: StoredChunk[],
    deliver: (run: StoredChunk[], parts: Buffer[], wireLength: number) => Promise<void>,
  ): Promise<void> {
    const packs = packRequests(missing.map((chunk) => ({ remote, chunk })), this.windowChunks, Math.min(this.requestBytes, this.windowBytes));
    return new Promise((resolve, reject) => {
      let next = 0;
      let inFlight = 0;
      let inFlightChunks = 0;
      let inFlightBytes = 0;
      let failure: unknown = null;
      const pump = (): void => {
        if (failure !== null) {
          if (inFlight === 0) reject(failure);
          return;
        }
        while (next < packs.length) {
          const pack = packs[next]!;
          const bytes = pack.reduce((n, want) => n + want.chunk.length, 0);
          if (inFlight > 0 && (inFlightBytes + bytes > this.windowBytes || inFlightChunks + pack.length > this.windowChunks)) break;
          next++;
          inFlight++;
          inFlightChunks += pack.length;
          inFlightBytes += bytes;
          const landing = this.packBuffers.take(bytes);
          this.fetcher
            .fetch(pack, landing)
            .then((fetched) => deliverRuns(pack, fetched, deliver))
            .catch((err: unknown) => {
              if (failure === null) failure = err;
            })
            .finally(() => {
              // Written (or failed): nothing refers to the request's bytes any more.
              this.packBuffers.give(landing);
              inFlight--;
              inFlightChunks -= pack.length;
              inFlightBytes -= bytes;
              pump();
            });
        }
        if (next >= packs.length && inFlight === 0) resolve();
      };
      pump();
    });
  }

  /** Chunks of a file the peer is still hashing (streaming sync), in one request, verified as any other; decoded into `landing` when given. */
  fetchStreamChunks(path: string, chunks: StoredChunk[], landing?: Buffer): Promise<Fetched[]> {
    return this.fetcher.fetch(chunks.map((chunk) => ({ remote: { path, digest: STREAM_DIGEST }, chunk })), landing);
  }

  /** Sends a request frame with a fresh request id and waits for its reply. */
  private async request<T extends Reply>(frame: Frame): Promise<T> {
    const { id, reply } = this.requests.open();
    frame.treeRequest!.requestId = id;
    // Awaited together so a failed send never leaves the reply promise unobserved.
    const [, answer] = await Promise.all([id === 0 ? Promise.resolve() : this.options.send(frame), reply]);
    return answer as T;
  }
}

/** A file of `size` bytes is at most one chunk (see singleChunkOf). */
export function isSingleChunk(size: number): boolean {
  return size < CHUNK_SIZES.minSize;
}

/**
 * The chunk list of a file shorter than the smallest chunk, known without asking:
 * every engine cuts with CHUNK_SIZES (agreed in the handshake) and never before
 * minSize, so such a file is one chunk, and its identity is that chunk's hash
 * (fileRoot in src/chunker/tree.ts). An empty file has no chunks. null: resolve
 * the list from the tree.
 */
export function singleChunkOf(remote: IndexEntry): StoredChunk[] | null {
  if (!isSingleChunk(remote.size)) return null;
  return remote.size === 0 ? [] : [{ offset: 0, length: remote.size, hash: remote.digest }];
}
