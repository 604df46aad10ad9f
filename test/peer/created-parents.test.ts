/**
 * Folders a placement creates above its path (missing here) are the remote's
 * folders: recorded with the remote's entry, not found by the next scan as new
 * local folders. A new local folder would be concurrent with a deletion of it
 * made elsewhere meanwhile, and a live folder beats a deletion, so the folder
 * came back (the 3-peer soak: a folder moved away on one peer reappeared,
 * empty, on all three).
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { createRig, putFile, setupForTest } from '../transfer/rig.js';

async function srcWithNestedFiles(t: Parameters<typeof setupForTest>[0], name: string) {
  const peers = await setupForTest(t, name);
  const { src, dst } = peers;
  await mkdir(path.join(src.shareDir, 'a', 'b'), { recursive: true });
  await putFile(src, 'a/b/one.txt', Buffer.from('one'));
  await putFile(src, 'a/b/two.txt', Buffer.from('two'));
  await src.scan();
  dst.index.storeRemoteEntries(src.id, 'src-index', src.index.all());
  return peers;
}

function assertAdopted(src: { index: { get(p: string): { version: object } | undefined } }, dst: typeof src & { id: string }, folder: string): void {
  const ours = dst.index.get(folder);
  assert.ok(ours, `${folder} recorded`);
  assert.deepEqual(ours.version, src.index.get(folder)!.version, `${folder} has the remote's version`);
  assert.ok(!(dst.id in ours.version), `${folder} carries no counter of ours: ${JSON.stringify(ours.version)}`);
}

test('the folders a pulled file needed are recorded with the remote\'s versions, and a scan leaves them so', async (t) => {
  const { src, dst } = await srcWithNestedFiles(t, 'parents-one');
  const rig = createRig(src, dst);
  assert.equal(await rig.apply(src.index.get('a/b/one.txt')!), 'applied');
  await dst.scan();
  assertAdopted(src, dst, 'a');
  assertAdopted(src, dst, 'a/b');
  rig.conn.close();
});

test('the folders a batch of small files needed are recorded with the remote\'s versions', async (t) => {
  const { src, dst } = await srcWithNestedFiles(t, 'parents-batch');
  const rig = createRig(src, dst);
  assert.deepEqual(await rig.applyBatch([src.index.get('a/b/one.txt')!, src.index.get('a/b/two.txt')!]), ['applied', 'applied']);
  await dst.scan();
  assertAdopted(src, dst, 'a');
  assertAdopted(src, dst, 'a/b');
  rig.conn.close();
});
