/**
 * Renames and moves through the real CLI (watcher, progressive announces):
 * the receiver copies every chunk from the old name, nothing is fetched again.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { cleanupNodes, removeTempDirs } from '../helpers/node-process.js';
import { MiB, PortRange, newSharePair, startLinkedPair, writeRandomFile } from '../helpers/sync-node.js';
import { treeOf, waitForSameTrees } from '../helpers/tree.js';

const ports = new PortRange(24900, 24999);

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

test('a renamed 32 MiB file and a moved folder are copied from the old names: no chunk fetched again', async () => {
  const pair = newSharePair(ports);
  const { dirA, dirB } = pair;
  await writeRandomFile(path.join(dirA, 'big.bin'), 32 * MiB);
  await mkdir(path.join(dirA, 'folder/sub'), { recursive: true });
  await writeRandomFile(path.join(dirA, 'folder/sub/one.bin'), 3 * MiB);
  await writeRandomFile(path.join(dirA, 'folder/two.bin'), 5000);
  const { b } = await startLinkedPair(pair);
  await waitForSameTrees([dirA, dirB], { expected: await treeOf(dirA), timeoutMs: 120_000 });

  const from = b.events.length;
  await rename(path.join(dirA, 'big.bin'), path.join(dirA, 'renamed.bin'));
  await mkdir(path.join(dirA, 'elsewhere'));
  await rename(path.join(dirA, 'folder'), path.join(dirA, 'elsewhere/moved'));
  await waitForSameTrees([dirA, dirB], { expected: await treeOf(dirA), timeoutMs: 120_000 });

  const done = b.events.slice(from).filter((e) => e.event === 'transfer.done');
  assert.deepEqual(done.map((e) => e.path).sort(), ['elsewhere/moved/sub/one.bin', 'elsewhere/moved/two.bin', 'renamed.bin']);
  for (const e of done) {
    assert.equal(e.chunksFetched, 0, `${String(e.path)}: no chunk fetched`);
    assert.equal(e.bytesReceived, 0, `${String(e.path)}: no bytes received`);
    assert.ok(Number(e.chunksReused) > 0, `${String(e.path)}: chunks reused`);
  }
});
