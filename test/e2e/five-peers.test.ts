/**
 * Five real nodes, in a line (A-B-C-D-E: every file crosses four hops) and in
 * a star (a hub linked to four leaves, which know only the hub), converge
 * after a burst of new files in new folders on one end. The burst is 1,000
 * files (the 10,000 is for `npm run bench`; this keeps the suite fast).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cleanupNodes, removeTempDirs, type NodeProcess } from '../helpers/node-process.js';
import { PortRange, newShare, startSyncNode, whenLinked } from '../helpers/sync-node.js';
import { treeOf, waitForSameTrees } from '../helpers/tree.js';

const ports = new PortRange(24800, 24899);
const FOLDERS = 10;
const PER_FOLDER = 100;

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

/** Starts one node per share; `links[i]` are the indexes node i dials. Waits until each has its links. */
async function startNetwork(links: number[][]): Promise<{ dirs: string[]; nodes: NodeProcess[] }> {
  const dirs = links.map(() => newShare());
  const portOf = links.map(() => ports.take());
  const nodes = links.map((dial, i) => startSyncNode(dirs[i]!, portOf[i]!, dial.map((j) => portOf[j]!)));
  // Links a node dials plus those dialing it (one link per pair).
  const degree = links.map((dial, i) => dial.length + links.filter((other) => other.includes(i)).length);
  await Promise.all(nodes.map((node, i) => whenLinked(node, degree[i]!, 60_000)));
  return { dirs, nodes };
}

async function burst(shareDir: string, tag: string): Promise<void> {
  for (let d = 0; d < FOLDERS; d++) {
    const folder = path.join(shareDir, `${tag}-${d}`, 'inner');
    await mkdir(folder, { recursive: true });
    for (let f = 0; f < PER_FOLDER; f++) await writeFile(path.join(folder, `f${f}.txt`), randomBytes(512 + ((d + f) % 8) * 512));
  }
}

test('five peers in a line converge after a burst of 1,000 files on one end', async () => {
  // Each dials its right-hand neighbour.
  const { dirs } = await startNetwork([[1], [2], [3], [4], []]);
  await burst(dirs[0]!, 'line');
  const expected = await treeOf(dirs[0]!);
  await waitForSameTrees(dirs, { expected, timeoutMs: 180_000 });
});

test('a hub and four leaves converge after a burst on one leaf, and a change from another leaf reaches all', async () => {
  // Index 0 is the hub; every leaf dials it and nobody else.
  const { dirs } = await startNetwork([[], [0], [0], [0], [0]]);
  await burst(dirs[1]!, 'star');
  await writeFile(path.join(dirs[3]!, 'from-leaf-3.txt'), 'hello from a leaf');
  await waitForSameTrees(dirs, { timeoutMs: 180_000 });
  const tree = await treeOf(dirs[4]!);
  assert.ok(tree['from-leaf-3.txt'], 'the other leaf\'s file reached leaf 4');
  assert.equal(Object.keys(tree).filter((p) => p.startsWith('star-')).length, FOLDERS * (PER_FOLDER + 2), 'the whole burst reached leaf 4');
});
