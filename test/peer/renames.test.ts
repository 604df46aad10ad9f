import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Session } from '../../src/peer/session-types.js';
import type { TransferStats } from '../../src/transfer/stats.js';
import { converge, link, peersFor, treeOf, type TestPeer } from './harness.js';

/** A scans what it holds and links to B, which takes its first copy; returns B's session (its stats count what it receives). */
async function firstCopy(a: TestPeer, b: TestPeer): Promise<Session> {
  await a.scan();
  const [, atB] = link(a, b);
  await converge(a, b, 'first copy', 60_000);
  return atB;
}

/**
 * A renames `from` to `to` (share-relative) and scans `scanned` (everything when
 * omitted); B's session stats from before the rename and once B converged.
 */
async function renameOnA(a: TestPeer, b: TestPeer, atB: Session, from: string, to: string, what: string, scanned?: string[]): Promise<{ before: TransferStats; after: TransferStats }> {
  const before = atB.stats();
  await rename(path.join(a.shareDir, from), path.join(a.shareDir, to));
  await a.scan(scanned);
  await converge(a, b, what, 60_000);
  return { before, after: atB.stats() };
}

/** Chunks the sender indexed for these paths (what a pull of them would need). */
function chunkCount(peer: TestPeer, paths: string[]): number {
  return paths.reduce((n, p) => n + peer.index.chunksOf(p).length, 0);
}

test('a renamed large file reuses every chunk: nothing of it crosses the wire again', async (t) => {
  const { peers: [a, b] } = await peersFor(t, 'rename', ['peer-a', 'peer-b']);
  await writeFile(path.join(a.shareDir, 'big.bin'), randomBytes(24 * 1024 * 1024));
  const atB = await firstCopy(a, b);
  const chunks = chunkCount(a, ['big.bin']);
  assert.ok(chunks > 100);

  const { before, after } = await renameOnA(a, b, atB, 'big.bin', 'renamed.bin', 'rename');
  assert.equal(after.chunksReused - before.chunksReused, chunks, 'every chunk taken from the old name');
  assert.equal(after.received.wireBytes - before.received.wireBytes, 0, 'no chunk bytes received');
  assert.deepEqual(Object.keys(await treeOf(b.shareDir)), ['renamed.bin']);
});

test('a renamed large file is moved on the receiver, not copied: same inode, no chunk bytes, the old name gone', async (t) => {
  const { peers: [a, b] } = await peersFor(t, 'move-large', ['peer-a', 'peer-b']);
  await writeFile(path.join(a.shareDir, 'video.bin'), randomBytes(12 * 1024 * 1024));
  const atB = await firstCopy(a, b);
  const inodeBefore = (await stat(path.join(b.shareDir, 'video.bin'))).ino;

  const { before, after } = await renameOnA(a, b, atB, 'video.bin', 'clips.bin', 'rename', ['clips.bin', 'video.bin']);
  assert.equal(after.received.wireBytes - before.received.wireBytes, 0, 'no chunk bytes received');
  assert.equal((await stat(path.join(b.shareDir, 'clips.bin'))).ino, inodeBefore, 'moved on B, not copied into a new file');
  assert.deepEqual(Object.keys(await treeOf(b.shareDir)), ['clips.bin']);
  assert.equal(b.index.get('video.bin')?.deleted, true);
  assert.equal(b.index.chunksOf('clips.bin').length, a.index.chunksOf('clips.bin').length, 'the moved file keeps its chunk list');
});

test('a folder moved with everything in it reuses every chunk of every file', async (t) => {
  const { peers: [a, b] } = await peersFor(t, 'move', ['peer-a', 'peer-b']);
  await mkdir(path.join(a.shareDir, 'projects/alpha/src'), { recursive: true });
  const files = ['projects/alpha/one.bin', 'projects/alpha/two.bin', 'projects/alpha/src/small.txt', 'projects/alpha/src/tiny.txt'];
  await writeFile(path.join(a.shareDir, files[0]!), randomBytes(6 * 1024 * 1024));
  await writeFile(path.join(a.shareDir, files[1]!), randomBytes(3 * 1024 * 1024));
  await writeFile(path.join(a.shareDir, files[2]!), randomBytes(9000));
  await writeFile(path.join(a.shareDir, files[3]!), 'tiny but not empty');
  for (let i = 0; i < 8; i++) {
    files.push(`projects/alpha/part-${i}.bin`);
    await writeFile(path.join(a.shareDir, files[files.length - 1]!), randomBytes(1024 * 1024));
  }
  const atB = await firstCopy(a, b);
  const chunks = chunkCount(a, files);

  await mkdir(path.join(a.shareDir, 'archive'));
  const { before, after } = await renameOnA(a, b, atB, 'projects/alpha', 'archive/alpha-2024', 'folder move');
  assert.equal(after.chunksReused - before.chunksReused, chunks, 'every chunk of every file reused');
  assert.equal(after.received.wireBytes - before.received.wireBytes, 0, 'no chunk bytes received');
  const tree = await treeOf(b.shareDir);
  assert.ok(tree['archive/alpha-2024/src/small.txt']);
  assert.equal(tree['projects/alpha'], undefined, 'old folder gone');
});

test('a renamed folder of small files is moved on the receiver, not copied: same inodes, no chunk bytes, the old folder gone', async (t) => {
  const { peers: [a, b] } = await peersFor(t, 'move-local', ['peer-a', 'peer-b']);
  await mkdir(path.join(a.shareDir, 'photos/2024'), { recursive: true });
  const names = Array.from({ length: 300 }, (_, i) => `f${i}.bin`);
  for (const name of names) await writeFile(path.join(a.shareDir, 'photos/2024', name), randomBytes(4096));
  const atB = await firstCopy(a, b);
  const inodesBefore = await Promise.all(names.map(async (n) => (await stat(path.join(b.shareDir, 'photos/2024', n))).ino));

  // 'archive' sorts before 'photos': the scanner must see the old name gone before it walks the new one.
  const { before, after } = await renameOnA(a, b, atB, 'photos', 'archive', 'folder rename', ['archive', 'photos']);
  assert.equal(after.received.chunks - before.received.chunks, 0, 'no chunk requested');
  assert.equal(after.received.wireBytes - before.received.wireBytes, 0, 'no chunk bytes received');
  const inodesAfter = await Promise.all(names.map(async (n) => (await stat(path.join(b.shareDir, 'archive/2024', n))).ino));
  assert.deepEqual(inodesAfter, inodesBefore, 'each file moved on B, not copied');
  assert.deepEqual(Object.keys(await treeOf(b.shareDir)).filter((p) => p.startsWith('photos')), [], 'the old folder is gone');
  for (const n of names) assert.equal(b.index.get(`photos/2024/${n}`)?.deleted, true);
});
