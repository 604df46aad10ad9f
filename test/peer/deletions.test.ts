import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { converge, link, peersFor, treeOf, unlink, type TestPeer } from './harness.js';

async function folderOf(peer: TestPeer, dir: string, count: number): Promise<void> {
  await mkdir(path.join(peer.shareDir, dir), { recursive: true });
  for (let i = 0; i < count; i++) await writeFile(path.join(peer.shareDir, dir, `f${i}.txt`), `file ${i} of ${dir}`);
}

test('a deleted folder of 600 files (several deletion batches) is removed with its folder, every path a tombstone', async (t) => {
  const { peers: [a, b] } = await peersFor(t, 'del-batch', ['peer-a', 'peer-b']);
  await folderOf(a, 'big/inner', 600);
  await writeFile(path.join(a.shareDir, 'keep.txt'), 'stays');
  await a.scan();
  link(a, b);
  await converge(a, b, 'first copy', 60_000);
  await rm(path.join(a.shareDir, 'big'), { recursive: true });
  await a.scan(['big']);
  await converge(a, b, 'deletion', 60_000);
  assert.deepEqual(Object.keys(await treeOf(b.shareDir)), ['keep.txt']);
  for (const p of ['big', 'big/inner', 'big/inner/f0.txt', 'big/inner/f599.txt']) assert.equal(b.index.get(p)?.deleted, true, `${p} is a tombstone on B`);
});

test('a folder deleted on one side while a file in it was edited on the other: the edit survives, the rest is deleted', async (t) => {
  const { peers: [a, b] } = await peersFor(t, 'del-edit', ['peer-a', 'peer-b']);
  await folderOf(a, 'shared', 300);
  await a.scan();
  link(a, b);
  await converge(a, b, 'first copy', 60_000);
  unlink(a, b);
  await rm(path.join(a.shareDir, 'shared'), { recursive: true });
  await a.scan(['shared']);
  await writeFile(path.join(b.shareDir, 'shared', 'f7.txt'), 'edited on B while A deleted the folder');
  await b.scan(['shared/f7.txt']);
  link(a, b);
  await converge(a, b, 'after the link is back', 60_000);
  const tree = await treeOf(b.shareDir);
  const files = Object.keys(tree).filter((p) => !tree[p]!.startsWith('dir'));
  assert.equal(files.length, 1, `one file left: ${files.join(', ')}`);
  assert.match(files[0]!, /^shared\/f7/);
});
