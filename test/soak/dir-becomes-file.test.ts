/**
 * Found by the soak (seed 1, 30 s): one peer replaces a folder by a file of the
 * same name while another peer, apart from it, creates something inside that
 * folder. The two used never to converge: the file side could not create the new
 * child (its parent is a file) and the other side could not replace the folder,
 * which is not empty, by the file ("sync.gave_up", outcome "blocked").
 *
 * Now the folder side keeps its folder, which holds content the file side has not
 * seen, as a new version concurrent with the file (reconcile's 'keep-folder'); a
 * folder wins a conflict against a file, so the file side keeps its file as
 * `D.sync-conflict-...` and takes the folder. Asserted: the trees converge, the
 * new child survives (so the folder does), and the file survives too.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cleanupNodes, removeTempDirs } from '../helpers/node-process.js';
import { ShareModel } from '../helpers/share-model.js';
import { PortRange, newSharePair, startLinkedPair } from '../helpers/sync-node.js';
import { treeOf, waitForSameTrees } from '../helpers/tree.js';
import { contentAt } from './ops.js';

const ports = new PortRange(24840, 24849);

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

test('a folder replaced by a file on one peer while the other creates inside it: both survive, the trees converge', async () => {
  const pair = newSharePair(ports);
  const { dirA, dirB } = pair;
  await mkdir(path.join(dirA, 'D'));
  await writeFile(path.join(dirA, 'D', 'old.txt'), 'in the folder from the start\n');
  const { b } = await startLinkedPair(pair);
  await waitForSameTrees([dirA, dirB], { expected: await treeOf(dirA) });

  await b.kill('SIGKILL');
  const model = new ShareModel();
  model.replace('D', null, 'dir');
  // A: the folder becomes a file.
  const old = await contentAt(dirA, 'D/old.txt');
  model.replace('D/old.txt', old, null);
  await rm(path.join(dirA, 'D'), { recursive: true });
  model.replace('D', 'dir', null);
  model.folderLeft('D', [['D/old.txt', old], ['D', 'dir']]);
  await writeFile(path.join(dirA, 'D'), 'now a file\n');
  model.replace('D', null, (await contentAt(dirA, 'D'))!);
  // B, apart from A: a new file inside the folder.
  await writeFile(path.join(dirB, 'D', 'new.txt'), 'created inside while apart\n');
  model.replace('D/new.txt', null, (await contentAt(dirB, 'D/new.txt'))!);
  b.spawn();

  const tree = await waitForSameTrees([dirA, dirB], { stableMs: 2_000, timeoutMs: 30_000 });
  const report = model.check(tree);
  assert.deepEqual(report.lost, [], `lost: ${report.lost.join('; ')}`);
});
