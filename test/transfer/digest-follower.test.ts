import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DigestFollower } from '../../src/transfer/digest-follower.js';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempFile(size: number) {
  const dir = await mkdtemp(join(tmpdir(), 'leftsync-digest-'));
  dirs.push(dir);
  const handle = await open(join(dir, 'partial'), 'w+');
  await handle.truncate(size);
  return handle;
}

/** Cuts `data` into chunks of varying sizes; returns their offsets. */
function offsetsOf(size: number, step: number): number[] {
  const offsets: number[] = [];
  for (let at = 0, i = 0; at < size; at += step + (i++ % 3) * 1000) offsets.push(at);
  return offsets;
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest();

test('chunks written out of order: the digest is that of the whole file', async () => {
  const data = randomBytes(3 * 1024 * 1024 + 123);
  const offsets = offsetsOf(data.length, 70_000);
  const handle = await tempFile(data.length);
  // A small read buffer makes the follower read while chunks still arrive.
  const follower = new DigestFollower(handle, data.length, offsets, Buffer.alloc(64 * 1024));
  const order = offsets.map((_, i) => i).sort((x, y) => ((x * 7919) % 13) - ((y * 7919) % 13) || x - y);
  for (const i of order) {
    const end = offsets[i + 1] ?? data.length;
    await handle.write(data, offsets[i]!, end - offsets[i]!, offsets[i]!);
    follower.written(i);
  }
  assert.deepEqual(await follower.digest(), sha(data));
  await handle.close();
});

test('chunks never written stay zeros (holes) and are hashed as zeros', async () => {
  const size = 300_000;
  const offsets = [0, 100_000, 200_000];
  const handle = await tempFile(size);
  const follower = new DigestFollower(handle, size, offsets);
  const middle = randomBytes(100_000);
  await handle.write(middle, 0, middle.length, 100_000);
  for (const i of [2, 1, 0]) follower.written(i); // 0 and 2 are zero chunks left as holes
  const expected = Buffer.alloc(size);
  middle.copy(expected, 100_000);
  assert.deepEqual(await follower.digest(), sha(expected));
  await handle.close();
});

test('the digest reflects what is on disk, so a wrong byte on disk is caught', async () => {
  const data = randomBytes(200_000);
  const handle = await tempFile(data.length);
  const follower = new DigestFollower(handle, data.length, [0, 100_000]);
  await handle.write(data, 0, data.length, 0);
  await handle.write(Buffer.from([data[150_000]! ^ 0xff]), 0, 1, 150_000);
  follower.written(0);
  follower.written(1);
  assert.notDeepEqual(await follower.digest(), sha(data));
  await handle.close();
});

test('an empty file has the digest of nothing', async () => {
  const handle = await tempFile(0);
  const follower = new DigestFollower(handle, 0, []);
  assert.deepEqual(await follower.digest(), sha(Buffer.alloc(0)));
  await handle.close();
});

test('stop() while chunks are missing ends the follower; digest() rejects', async () => {
  const handle = await tempFile(100_000);
  const follower = new DigestFollower(handle, 100_000, [0, 50_000]);
  follower.written(0);
  await follower.stop();
  await assert.rejects(follower.digest());
  await handle.close();
});

test('in-order chunks are hashed from the bytes given; the rest is read back from disk', async () => {
  const data = randomBytes(1_000_000);
  const offsets = offsetsOf(data.length, 60_000);
  const handle = await tempFile(data.length);
  const follower = new DigestFollower(handle, data.length, offsets, Buffer.alloc(128 * 1024));
  const bytesOf = (i: number) => data.subarray(offsets[i]!, offsets[i + 1] ?? data.length);
  // Chunk 0 is on disk with different bytes than reported: only an in-memory hash yields the true digest.
  await handle.write(Buffer.alloc(bytesOf(0).length, 0x55), 0, bytesOf(0).length, 0);
  follower.written(0, bytesOf(0));
  // The rest lands in reverse order (read back from disk once the prefix is complete).
  for (let i = offsets.length - 1; i >= 1; i--) {
    await handle.write(bytesOf(i), 0, bytesOf(i).length, offsets[i]!);
    follower.written(i, bytesOf(i));
  }
  assert.deepEqual(await follower.digest(), sha(data));
  await handle.close();
});
