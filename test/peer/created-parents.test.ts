/**
 * Folders a placement creates above its path (missing here) are the remote's
 * folders: recorded with the remote's entry, not found by the next scan as new
 * local folders. A new local folder would be concurrent with a deletion of it
 * made elsewhere meanwhile, and a live folder beats a deletion, so the folder
 * came back (the 3-peer soak: a folder moved away on one peer reappeared,
 * empty, on all three). A rename applied as a move creates them too (the
 * soak again: a peer moved files into new folders and was killed before it
 * recorded them; its restart scan made them new local folders, and a folder
 * deleted meanwhile elsewhere came back empty everywhere).
 */
import assert from 'node:assert/strict';
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { IndexEntry } from '../../src/model/entries.js';
import { createRig, putFile, setupForTest, type Rig } from '../transfer/rig.js';

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

/** Both folders above `a/b/...`, as the placement on dst left them. */
function assertFoldersAdopted(src: Parameters<typeof assertAdopted>[0], dst: Parameters<typeof assertAdopted>[1]): void {
  assertAdopted(src, dst, 'a');
  assertAdopted(src, dst, 'a/b');
}

test('the folders a pulled file needed are recorded with the remote\'s versions, and a scan leaves them so', async (t) => {
  const { src, dst } = await srcWithNestedFiles(t, 'parents-one');
  const rig = createRig(src, dst);
  assert.equal(await rig.apply(src.index.get('a/b/one.txt')!), 'applied');
  await dst.scan();
  assertFoldersAdopted(src, dst);
  rig.conn.close();
});

test('the folders a batch of small files needed are recorded with the remote\'s versions', async (t) => {
  const { src, dst } = await srcWithNestedFiles(t, 'parents-batch');
  const rig = createRig(src, dst);
  assert.deepEqual(await rig.applyBatch([src.index.get('a/b/one.txt')!, src.index.get('a/b/two.txt')!]), ['applied', 'applied']);
  await dst.scan();
  assertFoldersAdopted(src, dst);
  rig.conn.close();
});

/** dst holds `x.txt` as src does; src then moves it to `a/b/x.txt` and dst learns of that (nothing applied yet). */
async function movedIntoNewFolders(t: Parameters<typeof setupForTest>[0], name: string) {
  const peers = await setupForTest(t, name);
  const { src, dst } = peers;
  await putFile(src, 'x.txt', Buffer.from('moved, not copied'));
  await src.scan();
  dst.index.storeRemoteEntries(src.id, 'src-index', src.index.all());
  const first = createRig(src, dst);
  assert.equal(await first.apply(src.index.get('x.txt')!), 'applied');
  first.conn.close();
  await mkdir(path.join(src.shareDir, 'a', 'b'), { recursive: true });
  await rename(path.join(src.shareDir, 'x.txt'), path.join(src.shareDir, 'a', 'b', 'x.txt'));
  await src.scan();
  dst.index.storeRemoteEntries(src.id, 'src-index', src.index.all());
  return peers;
}

const moveSteps: { how: string; name: string; apply: (rig: Rig, moved: IndexEntry) => Promise<unknown> }[] = [
  { how: 'a file moved for a rename', name: 'parents-move', apply: async (rig, moved) => [await rig.apply(moved)] },
  { how: 'a batch of moved small files', name: 'parents-move-batch', apply: (rig, moved) => rig.applyBatch([moved]) },
];

for (const { how, name, apply } of moveSteps) {
  test(`the folders ${how} needed are recorded with the remote's versions, before any scan`, async (t) => {
    const { src, dst } = await movedIntoNewFolders(t, name);
    const rig = createRig(src, dst);
    const inodeBefore = dst.index.get('x.txt')!.inode;
    assert.deepEqual(await apply(rig, src.index.get('a/b/x.txt')!), ['applied']);
    assert.equal(dst.index.get('a/b/x.txt')?.inode, inodeBefore, 'moved, not pulled');
    // Checked before a scan too: a kill right after the move leaves only what was recorded with it.
    assertFoldersAdopted(src, dst);
    await dst.scan();
    assertFoldersAdopted(src, dst);
    rig.conn.close();
  });
}
