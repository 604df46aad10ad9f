import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { StoredChunk } from '../../src/model/entries.js';
import { copyLocalChunks, type LocalChunk } from '../../src/transfer/local-copy.js';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function share(): Promise<{ shareDir: string; stateDir: string }> {
  const root = await mkdtemp(join(tmpdir(), 'leftsync-localcopy-'));
  dirs.push(root);
  const shareDir = join(root, 'share');
  const stateDir = join(root, 'state');
  await mkdir(shareDir);
  await mkdir(join(stateDir, 'tmp'), { recursive: true });
  return { shareDir, stateDir };
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest();

/** Chunks of `data` with the given lengths, located in `path` at `sourceAt` + their offset. */
function located(data: Buffer, lengths: number[], path: string, kind: 'file' | 'partial' = 'file', sourceAt = 0): LocalChunk[] {
  const items: LocalChunk[] = [];
  let offset = 0;
  for (const length of lengths) {
    const chunk: StoredChunk = { offset, length, hash: sha(data.subarray(offset, offset + length)) };
    items.push({ chunk, location: { kind, path, offset: sourceAt + offset, length } });
    offset += length;
  }
  return items;
}

/** A target that records every write; returns the assembled bytes and the write count. */
function target(size: number) {
  const bytes = Buffer.alloc(size);
  const writes: number[][] = [];
  return {
    bytes,
    writes,
    writeRun: async (run: StoredChunk[], data: Buffer) => {
      assert.equal(data.length, run.reduce((sum, c) => sum + c.length, 0));
      data.copy(bytes, run[0]!.offset);
      writes.push(run.map((c) => c.offset));
    },
  };
}

test('contiguous chunks are copied in runs of one read and one write each', async () => {
  const { shareDir, stateDir } = await share();
  const data = randomBytes(300_000);
  await writeFile(join(shareDir, 'old.bin'), data);
  const lengths = [50_000, 70_000, 60_000, 40_000, 80_000];
  const out = target(data.length);
  const failed = await copyLocalChunks(located(data, lengths, 'old.bin'), {
    shareDir,
    stateDir,
    buffer: Buffer.alloc(130_000),
    writeRun: out.writeRun,
  });
  assert.deepEqual(failed, []);
  assert.deepEqual(out.bytes, data);
  // A 130,000-byte buffer holds 50k+70k, then 60k+40k, then 80k.
  assert.deepEqual(out.writes, [[0, 50_000], [120_000, 180_000], [220_000]]);
});

test('a chunk whose source changed is never written and is returned for fetching', async () => {
  const { shareDir, stateDir } = await share();
  const data = randomBytes(200_000);
  const onDisk = Buffer.from(data);
  onDisk[90_000] = onDisk[90_000]! ^ 0xff; // inside the second chunk
  await writeFile(join(shareDir, 'old.bin'), onDisk);
  const items = located(data, [50_000, 50_000, 50_000, 50_000], 'old.bin');
  const out = target(data.length);
  const failed = await copyLocalChunks(items, { shareDir, stateDir, buffer: Buffer.alloc(1 << 20), writeRun: out.writeRun });
  assert.deepEqual(failed, [items[1]!.chunk]);
  assert.deepEqual(out.writes, [[0], [100_000, 150_000]]);
  assert.deepEqual(out.bytes.subarray(50_000, 100_000), Buffer.alloc(50_000));
});

test('a source that is gone or shorter yields its chunks for fetching', async () => {
  const { shareDir, stateDir } = await share();
  const data = randomBytes(100_000);
  await writeFile(join(shareDir, 'short.bin'), data.subarray(0, 60_000));
  const short = located(data, [50_000, 50_000], 'short.bin');
  const gone = located(data, [30_000], 'gone.bin');
  const out = target(data.length);
  const failed = await copyLocalChunks([...short, ...gone], { shareDir, stateDir, buffer: Buffer.alloc(1 << 20), writeRun: out.writeRun });
  assert.deepEqual(failed, [short[1]!.chunk, gone[0]!.chunk]);
  assert.deepEqual(out.writes, [[0]]);
});

test('chunks of a partial download are read from the state folder; sources do not merge into one run', async () => {
  const { shareDir, stateDir } = await share();
  const data = randomBytes(120_000);
  await writeFile(join(stateDir, 'tmp', 'partial-1'), data);
  await writeFile(join(shareDir, 'partial-1'), randomBytes(120_000)); // same name in the share: must not be read
  const items = located(data, [40_000, 40_000, 40_000], 'partial-1', 'partial');
  const out = target(data.length);
  const failed = await copyLocalChunks(items, { shareDir, stateDir, buffer: Buffer.alloc(1 << 20), writeRun: out.writeRun });
  assert.deepEqual(failed, []);
  assert.deepEqual(out.bytes, data);
  assert.deepEqual(out.writes, [[0, 40_000, 80_000]]);
});

test('a source whose stat still matches the index is not hashed again; one that does not match is', async () => {
  const { shareDir, stateDir } = await share();
  const data = randomBytes(200_000);
  await writeFile(join(shareDir, 'old.bin'), data);
  // Hashes that are not the bytes': only a copy that skips hashing takes these chunks.
  const items = located(data, [100_000, 100_000], 'old.bin').map(({ chunk, location }) => ({
    chunk: { ...chunk, hash: sha(Buffer.from(`not the bytes at ${chunk.offset}`)) },
    location,
  }));
  const seen: string[] = [];
  const trusting = target(data.length);
  const kept = await copyLocalChunks(items, {
    shareDir,
    stateDir,
    buffer: Buffer.alloc(1 << 20),
    writeRun: trusting.writeRun,
    unchanged: (location, stats) => {
      seen.push(`${location.path}:${stats.size}`);
      return true;
    },
  });
  assert.deepEqual(kept, [], 'unchanged source: the index\'s hashes are taken as they are');
  assert.deepEqual(seen, ['old.bin:200000'], 'its stats are read once per run, after the read');
  const doubting = target(data.length);
  const refused = await copyLocalChunks(items, {
    shareDir,
    stateDir,
    buffer: Buffer.alloc(1 << 20),
    writeRun: doubting.writeRun,
    unchanged: () => false,
  });
  assert.equal(refused.length, 2, 'a changed source is hashed, and the mismatching chunks are fetched instead');
  assert.equal(doubting.writes.length, 0);
});
