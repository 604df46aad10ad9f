/**
 * Small files pulled as a batch. A file shorter than the smallest chunk is one
 * chunk whose list is known without asking (singleChunkOf), so a batch needs no
 * round trip but the chunk requests themselves, all sent at once and answered
 * back to back on the link. Each chunk comes from a local copy when the index
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
  /** One chunk from the peer, verified; 'gone' when it no longer has that version. */
  fetch(remote: IndexEntry, chunk: StoredChunk): Promise<{ data: Buffer; wireLength: number } | 'gone'>;
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
  await Promise.all(
    remotes.map(async (remote, i) => {
      const chunks = chunksOf[i]!;
      const counts: PullCounts = { reused: 0, resumed: 0, fetched: 0, bytesReceived: 0, treeNodes: 0, treeBytes: 0 };
      const startedMs = Date.now();
      const progress = ctx.events.transfer(remote, 0);
      try {
        const data = chunks.length === 0 ? Buffer.alloc(0) : await chunkData(remote, chunks[0]!, counts, ctx);
        if (data === 'gone') {
          progress.end();
          results[i] = { outcome: 'gone' };
          return;
        }
        progress.add(data.length);
        const tempPath = path.join(tempDir, `batch-${randomBytes(8).toString('hex')}.tmp`);
        ready.push({ i, data, file: { tempPath, tempName: '', chunks, counts, startedMs, progress } });
      } catch (error) {
        progress.end();
        results[i] = { outcome: 'failed', error };
      }
    }),
  );
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

/** The chunk's bytes: a verified local copy when the index knows one, else from the peer. */
async function chunkData(remote: IndexEntry, chunk: StoredChunk, counts: PullCounts, ctx: SmallFilesContext): Promise<Buffer | 'gone'> {
  const location = ctx.index.findChunk(chunk.hash);
  if (location !== undefined && location.length === chunk.length) {
    const local = await readVerifiedAt(location, chunk.hash, ctx.shareDir, ctx.stateDir);
    if (local !== undefined) {
      counts.reused++;
      return local;
    }
  }
  const fetched = await ctx.fetch(remote, chunk);
  if (fetched === 'gone') return 'gone';
  counts.fetched++;
  counts.bytesReceived += fetched.wireLength;
  return fetched.data;
}
