/**
 * Copies the chunks a puller already holds locally (in a synced file or a
 * partial download) into its temp file, in runs: chunks that sit back to back
 * in the same source and in the target are read with one read and written with
 * one write, each chunk verified against its hash on the way, unless the
 * source is a file whose stat still matches its index entry before and after
 * the read (the index's hashes are then its bytes' hashes: the scanner hashed
 * them and nobody wrote since). An edit of a 500 MB file reuses ~8,000 chunks;
 * one read and one write each, awaited one after another, took seconds of
 * thread-pool round trips where ~500 large reads and writes take a fraction of that.
 */
import type { Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { resolveSharePath } from '../fs/paths.js';
import type { ChunkLocation, PartialDownload, StoredChunk, SyncIndex } from '../model/entries.js';
import { sha256, tempDirOf } from './chunk-io.js';

export interface LocalChunk {
  chunk: StoredChunk;
  location: ChunkLocation;
}

export interface LocalCopyOptions {
  shareDir: string;
  stateDir: string;
  /** Read buffer; a run is at most this long (at least the largest chunk). */
  buffer: Buffer;
  /** Writes verified chunks that are contiguous in the target; `data` covers exactly them. */
  writeRun(chunks: StoredChunk[], data: Buffer): Promise<void>;
  /**
   * True when the source file of `location` is as the index last saw it (the
   * stats of its open handle): its chunks need not be hashed again. Absent:
   * every chunk is hashed.
   */
  unchanged?(location: ChunkLocation, stats: Stats): boolean;
}

/**
 * Copies `items` (in target order) and returns the chunks that could not be
 * taken locally (source gone, changed or short): the caller fetches those.
 */
export async function copyLocalChunks(items: LocalChunk[], options: LocalCopyOptions): Promise<StoredChunk[]> {
  const failed: StoredChunk[] = [];
  const handles = new Map<string, Promise<FileHandle | null>>();
  try {
    for (const run of runsOf(items, options.buffer.length)) {
      const source = await sourceHandle(run[0]!.location, options, handles);
      const start = run[0]!.location.offset;
      const length = run.reduce((sum, item) => sum + item.chunk.length, 0);
      const filled = source === null ? 0 : await readUpTo(source, options.buffer, length, start);
      const trusted = source !== null && (await unchangedAround(source, run[0]!.location, options));
      // Verified chunks are written in contiguous groups; a chunk that fails splits the run.
      let group: StoredChunk[] = [];
      let groupStart = 0;
      const flush = async (): Promise<void> => {
        if (group.length === 0) return;
        const groupLength = group.reduce((sum, chunk) => sum + chunk.length, 0);
        await options.writeRun(group, options.buffer.subarray(groupStart, groupStart + groupLength));
        group = [];
      };
      let at = 0;
      for (const { chunk } of run) {
        const data = options.buffer.subarray(at, at + chunk.length);
        if (at + chunk.length <= filled && (trusted || sha256(data).equals(chunk.hash))) {
          if (group.length === 0) groupStart = at;
          group.push(chunk);
        } else {
          await flush();
          failed.push(chunk);
        }
        at += chunk.length;
      }
      await flush();
    }
  } finally {
    for (const pending of handles.values()) await (await pending)?.close().catch(() => undefined);
  }
  return failed;
}

/** Stats of the source, taken after its run was read; any change since the index saw it means hashing. */
async function unchangedAround(handle: FileHandle, location: ChunkLocation, options: LocalCopyOptions): Promise<boolean> {
  if (options.unchanged === undefined || location.kind !== 'file') return false;
  try {
    return options.unchanged(location, await handle.stat());
  } catch {
    return false;
  }
}

/**
 * Reads back the chunks of `partial` an earlier attempt recorded as written and
 * reports each that still matches its hash to `resumed`; returns those that do
 * not (to be taken again).
 */
export function verifyResumed(
  chunks: StoredChunk[],
  partial: PartialDownload,
  options: { shareDir: string; stateDir: string; resumed(chunk: StoredChunk): void },
): Promise<StoredChunk[]> {
  const items: LocalChunk[] = chunks
    .filter((chunk) => partial.verifiedOffsets.has(chunk.offset))
    .map((chunk) => ({ chunk, location: { kind: 'partial', path: partial.tempName, offset: chunk.offset, length: chunk.length } }));
  if (items.length === 0) return Promise.resolve([]);
  return copyLocalChunks(items, {
    shareDir: options.shareDir,
    stateDir: options.stateDir,
    buffer: Buffer.allocUnsafe(RESUME_RUN_BYTES),
    // Already in place: verified, not written again.
    writeRun: async (run) => {
      for (const chunk of run) options.resumed(chunk);
    },
  });
}

/** Read size when verifying resumed chunks in place. */
const RESUME_RUN_BYTES = 4 * 1024 * 1024;

/** Chunks with equal keys have equal bytes. */
export function chunkKey(chunk: StoredChunk): string {
  return `${chunk.hash.toString('hex')}:${chunk.length}`;
}

/** Where each chunk of our current version of `filePath` lies in it (by hash and length). */
export function ownChunks(index: SyncIndex, filePath: string): Map<string, ChunkLocation> {
  const out = new Map<string, ChunkLocation>();
  const entry = index.get(filePath);
  if (entry === undefined || entry.deleted || entry.type !== 'file') return out;
  for (const chunk of index.chunksOf(filePath)) {
    const key = chunkKey(chunk);
    if (!out.has(key)) out.set(key, { kind: 'file', path: filePath, offset: chunk.offset, length: chunk.length });
  }
  return out;
}

/** Groups items into runs that are contiguous in both the source and the target. */
function* runsOf(items: LocalChunk[], maxBytes: number): Generator<LocalChunk[]> {
  let run: LocalChunk[] = [];
  let runBytes = 0;
  for (const item of items) {
    const last = run[run.length - 1];
    const joins =
      last !== undefined &&
      item.location.kind === last.location.kind &&
      item.location.path === last.location.path &&
      item.location.offset === last.location.offset + last.location.length &&
      item.chunk.offset === last.chunk.offset + last.chunk.length &&
      runBytes + item.chunk.length <= maxBytes;
    if (!joins && run.length > 0) {
      yield run;
      run = [];
      runBytes = 0;
    }
    run.push(item);
    runBytes += item.chunk.length;
  }
  if (run.length > 0) yield run;
}

/** An open handle on the location's file, or null when it cannot be opened (its chunks are fetched instead). */
function sourceHandle(
  location: ChunkLocation,
  options: LocalCopyOptions,
  handles: Map<string, Promise<FileHandle | null>>,
): Promise<FileHandle | null> {
  const key = `${location.kind}:${location.path}`;
  let handle = handles.get(key);
  if (handle === undefined) {
    handle = (async () => {
      try {
        const absPath =
          location.kind === 'file'
            ? await resolveSharePath(options.shareDir, location.path)
            : path.join(tempDirOf(options.stateDir), path.basename(location.path));
        return await open(absPath, 'r');
      } catch {
        return null;
      }
    })();
    handles.set(key, handle);
  }
  return handle;
}

/** Reads up to `length` bytes at `position` into the start of `buffer`; fewer at end of file or on error. */
async function readUpTo(handle: FileHandle, buffer: Buffer, length: number, position: number): Promise<number> {
  let filled = 0;
  try {
    while (filled < length) {
      const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
  } catch {
    // What was read is still checked chunk by chunk; the rest is fetched.
  }
  return filled;
}
