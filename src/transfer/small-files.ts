/**
 * Small files pulled as a batch. A file shorter than the smallest chunk is one
 * chunk whose list is known without asking (singleChunkOf), so a batch needs no
 * round trip but the chunk requests themselves: the chunks of the whole batch
 * in as few ChunkRequests as the limits allow, answered back to back. Each chunk comes from a local copy when the index
 * knows one (a renamed or copied file), else from the peer, verified either
 * way; the temp files are then written and made durable together
 * (writeDurableTempFiles). No partial-download records: a kill costs at most
 * refetching a few KiB per file, and orphan temp files go at the next start.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fromSystemError } from '../errors.js';
import { writeDurableTempFiles } from '../fs/batch-write.js';
import type { IndexEntry, StoredChunk, SyncIndex } from '../model/entries.js';
import type { Fetched, Want } from './chunk-fetch.js';
import type { PullEvents } from './progress.js';
import { readVerifiedAt, tempDirOf } from './chunk-io.js';
import type { PullCounts, VerifiedFile } from './verified-file.js';

/** 'gone': the source no longer has that version (pull it alone: its chunk list tells). */
export type SmallPull = { outcome: 'verified'; file: VerifiedFile } | { outcome: 'gone' } | { outcome: 'failed'; error: unknown };

export interface SmallFilesContext {
  index: SyncIndex;
  shareDir: string;
  stateDir: string;
  events: PullEvents;
  /** Chunks from the peer, each verified (or gone, or failed on its own); rejects when the link fails them all. */
  fetch(wants: Want[]): Promise<Fetched[]>;
}

/** Pulls every remote (each a live file with singleChunkOf(remote) !== null) into a durable temp file. */
export async function pullSmallFiles(remotes: IndexEntry[], chunksOf: StoredChunk[][], ctx: SmallFilesContext): Promise<SmallPull[]> {
  const tempDir = tempDirOf(ctx.stateDir);
  try {
    await mkdir(tempDir, { recursive: true });
  } catch (err) {
    const error = fromSystemError(err, `mkdir ${tempDir}`);
    return remotes.map(() => ({ outcome: 'failed', error }));
  }
  const results: SmallPull[] = new Array(remotes.length);
  const ready: { i: number; file: VerifiedFile; data: Buffer }[] = [];
  const counts: PullCounts[] = remotes.map(() => ({ reused: 0, resumed: 0, fetched: 0, bytesReceived: 0, treeNodes: 0, treeBytes: 0 }));
  const startedMs = Date.now();
  const batchId = randomBytes(8).toString('hex'); // one per batch, not per file: a name is batch and position
  const progress = remotes.map((remote) => ctx.events.transfer(remote, 0));
  const done = (i: number, data: Buffer): void => {
    progress[i]!.add(data.length);
    const tempPath = path.join(tempDir, `batch-${batchId}-${i}.tmp`);
    ready.push({ i, data, file: { tempPath, tempName: '', chunks: chunksOf[i]!, counts: counts[i]!, startedMs, progress: progress[i]! } });
  };
  const fail = (i: number, outcome: SmallPull): void => {
    progress[i]!.end();
    results[i] = outcome;
  };
  // Local copies first (a renamed or copied file); the rest from the peer, together.
  const fromPeer: number[] = [];
  await Promise.all(
    remotes.map(async (remote, i) => {
      const chunks = chunksOf[i]!;
      if (chunks.length === 0) return done(i, Buffer.alloc(0));
      const local = await localCopy(chunks[0]!, ctx);
      if (local === undefined) return void fromPeer.push(i);
      counts[i]!.reused++;
      done(i, local);
    }),
  );
  if (fromPeer.length > 0) {
    let fetched: Fetched[];
    try {
      fetched = await ctx.fetch(fromPeer.map((i) => ({ remote: remotes[i]!, chunk: chunksOf[i]![0]! })));
    } catch (error) {
      fetched = fromPeer.map(() => ({ outcome: 'failed', error }) as Fetched);
    }
    fromPeer.forEach((i, k) => {
      const result = fetched[k]!;
      if (result.outcome === 'gone') fail(i, { outcome: 'gone' });
      else if (result.outcome === 'failed') fail(i, { outcome: 'failed', error: result.error });
      else {
        counts[i]!.fetched++;
        counts[i]!.bytesReceived += result.wireLength;
        done(i, result.data);
      }
    });
  }
  const errors = await writeDurableTempFiles(
    ready.map(({ i, file, data }) => ({ tempPath: file.tempPath, data, mode: remotes[i]!.mode, mtimeMs: remotes[i]!.mtimeMs })),
  );
  ready.forEach(({ i, file }, k) => {
    const error = errors[k];
    if (error) {
      file.progress.end();
      results[i] = { outcome: 'failed', error };
    } else {
      results[i] = { outcome: 'verified', file };
    }
  });
  return results;
}

/** The chunk's bytes from a verified local copy, when the index knows one. */
async function localCopy(chunk: StoredChunk, ctx: SmallFilesContext): Promise<Buffer | undefined> {
  const location = ctx.index.findChunk(chunk.hash);
  if (location === undefined || location.length !== chunk.length) return undefined;
  return readVerifiedAt(location, chunk.hash, ctx.shareDir, ctx.stateDir);
}
