/**
 * Found by the soak (seed 20261201, 40 s; the file "rA9"): a peer deletes a file
 * whose conflict it won, before it has seen how the losing peer resolved that
 * conflict, and the file came back. The losing peer kept its own version as a
 * conflict copy and took the winner's content, but recorded it under the union of
 * both vectors (its lost edit's counter, and the tombstone the conflict rename
 * left); the winner's deletion does not cover that, so the two were "concurrent",
 * and a live version beats a deletion. The loser now records the winner's own
 * vector (appliedVersion in src/model/version.ts), which the deletion dominates.
 *
 * Three peers, all linked directly: B edits x.txt while down, A edits it later
 * (A's edit wins, newer mtime) and C receives A's edit; A goes down and the
 * user deletes x.txt there; B comes back and resolves the conflict with C; A
 * comes back. Expected: x.txt stays deleted everywhere (A deleted the version
 * it had seen, the winner) and B's edit survives as the conflict copy.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cleanupNodes, removeTempDirs } from '../helpers/node-process.js';
import { PortRange, newShare, startSyncNode, whenLinked } from '../helpers/sync-node.js';
import { treeOf, waitForSameTrees, waitUntil } from '../helpers/tree.js';

const ports = new PortRange(24850, 24859);

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

test('a file deleted by the peer whose edit won a conflict stays deleted once the loser has resolved it', async () => {
  const [dirA, dirB, dirC] = [newShare(), newShare(), newShare()];
  const [portA, portB, portC] = [ports.take(), ports.take(), ports.take()];
  await writeFile(path.join(dirA, 'x.txt'), 'the original\n');
  const a = startSyncNode(dirA, portA, [portB, portC]);
  const b = startSyncNode(dirB, portB, [portA, portC]);
  const c = startSyncNode(dirC, portC, [portA, portB]);
  await Promise.all([whenLinked(a, 2), whenLinked(b, 2), whenLinked(c, 2)]);
  await waitForSameTrees([dirA, dirB, dirC], { expected: await treeOf(dirA) });

  await b.kill('SIGKILL');
  await writeFile(path.join(dirB, 'x.txt'), 'edited on B while it was down\n');
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await writeFile(path.join(dirA, 'x.txt'), 'edited on A, later: this edit wins\n');
  await waitUntil('C has A\'s edit', async () => (await readFile(path.join(dirC, 'x.txt'), 'utf8').catch(() => '')).startsWith('edited on A'));

  await a.kill('SIGKILL');
  await rm(path.join(dirA, 'x.txt'));
  b.spawn();
  await waitForSameTrees([dirB, dirC], { stableMs: 2_000, timeoutMs: 30_000 });
  a.spawn();

  const tree = await waitForSameTrees([dirA, dirB, dirC], { stableMs: 3_000, timeoutMs: 30_000 });
  const names = Object.keys(tree).sort();
  const back = await readFile(path.join(dirA, 'x.txt'), 'utf8').catch(() => null);
  assert.equal(back, null, `x.txt came back holding ${JSON.stringify(back)}; the share holds ${names.join(', ')}`);
  assert.equal(names.length, 1, `expected only B's conflict copy, got ${names.join(', ')}`);
  assert.match(names[0]!, /^x\.sync-conflict-\d{8}-\d{6}-[0-9a-z]+\.txt$/);
  assert.equal(await readFile(path.join(dirA, names[0]!), 'utf8'), 'edited on B while it was down\n');
});
