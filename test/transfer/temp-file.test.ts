/**
 * TempFile.writeRun: a run of verified chunks written at its offset, given as
 * one buffer or as the chunks' own buffers (one writev, nothing joined first);
 * a run of zeros is left as the hole the sized file already has; every chunk
 * written is recorded verified; a large file is flushed as it is written.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { PartialDownload, StoredChunk, SyncIndex } from '../../src/model/entries.js';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';
import { TempFile, runLength } from '../../src/transfer/temp-file.js';

const KiB = 1024;

function chunkAt(offset: number, data: Buffer): StoredChunk {
  return { offset, length: data.length, hash: createHash('sha256').update(data).digest() };
}

/** The part of the index TempFile uses: batches and the verified-chunk records. */
function recordingIndex(): { index: SyncIndex; verified: number[] } {
  const verified: number[] = [];
  const index = {
    batch: <T>(fn: () => T): T => fn(),
    markChunkVerified: (_tempName: string, chunk: StoredChunk) => void verified.push(chunk.offset),
  } as unknown as SyncIndex;
  return { index, verified };
}

async function tempFileFor(t: { after(fn: () => Promise<void>): void }, size: number, chunks: StoredChunk[], index: SyncIndex, earlyFlushBytes?: number) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'leftsync-temp-file-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const tempPath = path.join(dir, 'download.tmp');
  const partial: PartialDownload = { path: 'f.bin', digest: Buffer.alloc(32), tempName: 'download.tmp', size, verifiedOffsets: new Set() };
  return { tempPath, file: await TempFile.open(tempPath, partial, size, chunks, index, earlyFlushBytes) };
}

test('a run given as its chunks\' buffers lands at its offset in order, as one given as one buffer does', async (t) => {
  const parts = [randomBytes(16 * KiB), randomBytes(20 * KiB), randomBytes(17 * KiB)];
  const head = randomBytes(24 * KiB);
  const chunks = [chunkAt(0, head)];
  let offset = head.length;
  for (const part of parts) {
    chunks.push(chunkAt(offset, part));
    offset += part.length;
  }
  const { index, verified } = recordingIndex();
  const { tempPath, file } = await tempFileFor(t, offset, chunks, index);
  await file.writeRun(chunks.slice(1), parts);
  await file.writeRun(chunks.slice(0, 1), head);
  file.record();
  assert.equal(await file.complete(), true);
  assert.deepEqual(await readFile(tempPath), Buffer.concat([head, ...parts]));
  assert.deepEqual(verified, [chunks[1]!.offset, chunks[2]!.offset, chunks[3]!.offset, 0]);
  assert.equal(runLength(parts), offset - head.length);
});

test('a run whose every buffer is zeros is not written (the file keeps its hole); one with a zero buffer among others is written whole', async (t) => {
  const zeros = [Buffer.alloc(64 * KiB), Buffer.alloc(64 * KiB)];
  const mixed = [Buffer.alloc(32 * KiB), randomBytes(32 * KiB)];
  const chunks = [chunkAt(0, zeros[0]!), chunkAt(64 * KiB, zeros[1]!), chunkAt(128 * KiB, mixed[0]!), chunkAt(160 * KiB, mixed[1]!)];
  const { index, verified } = recordingIndex();
  const size = 192 * KiB;
  const { tempPath, file } = await tempFileFor(t, size, chunks, index);
  await file.writeRun(chunks.slice(0, 2), zeros);
  await file.writeRun(chunks.slice(2), mixed);
  file.record();
  assert.equal(await file.complete(), true);
  const content = await readFile(tempPath);
  assert.deepEqual(content, Buffer.concat([...zeros, ...mixed]));
  assert.deepEqual(verified, [0, 64 * KiB, 128 * KiB, 160 * KiB]);
  // Only the mixed run's 64 KiB were written: the zeros are a hole where the filesystem makes holes.
  const { blocks } = await stat(tempPath);
  if (blocks * 512 < size) assert.ok(blocks * 512 <= 64 * KiB + 4 * KiB, `${blocks} blocks allocated`);
});

test('a large file is flushed while it is written (the fsync before the rename has the last part only), and completes whole', async (t) => {
  const parts = Array.from({ length: 12 }, () => randomBytes(256 * KiB));
  const chunks = parts.map((part, i) => chunkAt(i * 256 * KiB, part));
  const { index, verified } = recordingIndex();
  const { tempPath, file } = await tempFileFor(t, 3 * 1024 * KiB, chunks, index, 1024 * KiB);
  for (const [i, part] of parts.entries()) await file.writeRun([chunks[i]!], part);
  file.record();
  assert.equal(await file.complete(), true);
  // One flush per MiB written, unless the last was still under way (then the next MiB waits for the fsync).
  assert.ok(file.flushes >= 1 && file.flushes <= 3, `${file.flushes} early flushes`);
  assert.deepEqual(await readFile(tempPath), Buffer.concat(parts));
  assert.equal(verified.length, chunks.length);
});

test('a failed early flush fails complete() with IO and forgets the partial\'s chunks, which may not be on disk', async (t) => {
  const parts = Array.from({ length: 8 }, () => randomBytes(256 * KiB));
  const chunks = parts.map((part, i) => chunkAt(i * 256 * KiB, part));
  const dropped: string[] = [];
  const { index } = recordingIndex();
  (index as unknown as { dropPartial(tempName: string): void }).dropPartial = (tempName) => void dropped.push(tempName);
  const { file } = await tempFileFor(t, 2 * 1024 * KiB, chunks, index, 1024 * KiB);
  // Every FileHandle's datasync fails, as after a writeback error (EIO) of the disk.
  const handles = Object.getPrototypeOf((file as unknown as { handle: object }).handle) as { datasync(): Promise<void> };
  const datasync = handles.datasync;
  handles.datasync = () => Promise.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
  t.after(() => void (handles.datasync = datasync));
  for (const [i, part] of parts.entries()) await file.writeRun([chunks[i]!], part);
  await assert.rejects(file.complete(), (err: unknown) => err instanceof LeftsyncError && err.code === ErrorCode.IO);
  assert.deepEqual(dropped, ['download.tmp']);
});
