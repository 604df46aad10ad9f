/**
 * Five real nodes, in a line (A-B-C-D-E: every file crosses four hops) and in
 * a star (a hub linked to four leaves, which know only the hub), converge
 * after the burst on one end: 10,000 files of 4 KiB in 100 new
 * folders, written at once. Convergence is checked by a tree hash of every
 * share (each file's SHA-256), and each case stops its five processes by PID.
 */
import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cleanupNodes, removeTempDirs, type NodeProcess } from '../helpers/node-process.js';
import { PortRange, newShare, startSyncNode, whenLinked } from '../helpers/sync-node.js';
import { treeOf, waitForFileCounts, waitForSameTrees } from '../helpers/tree.js';

const ports = new PortRange(24800, 24899);
const FOLDERS = 100;
const PER_FOLDER = 100;
const FILE_SIZE = 4096;
const BURST = FOLDERS * PER_FOLDER;
/**
 * The watcher carries the burst; the full rescan (the safety net) runs every
 * 10 s instead of QUICK's 2 s: five nodes re-stat'ing 10,000 files every 2 s
 * took about a tenth of the test's CPU on two cores and told nothing more.
 */
const RESCAN = ['--rescan-interval', '10000'];

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

/** Starts one node per share; `links[i]` are the indexes node i dials. Waits until each has its links. */
async function startNetwork(links: number[][]): Promise<{ dirs: string[]; nodes: NodeProcess[] }> {
  const dirs = links.map(() => newShare());
  const portOf = links.map(() => ports.take());
  const nodes = links.map((dial, i) => startSyncNode(dirs[i]!, portOf[i]!, dial.map((j) => portOf[j]!), RESCAN));
  // Links a node dials plus those dialing it (one link per pair).
  const degree = links.map((dial, i) => dial.length + links.filter((other) => other.includes(i)).length);
  await Promise.all(nodes.map((node, i) => whenLinked(node, degree[i]!, 60_000)));
  return { dirs, nodes };
}

/** Writes every folder's files in parallel (a burst, as an unpacked archive would be). */
async function burst(shareDir: string, tag: string): Promise<void> {
  await Promise.all(
    Array.from({ length: FOLDERS }, async (_, d) => {
      const folder = path.join(shareDir, `${tag}-${d}`, 'inner');
      await mkdir(folder, { recursive: true });
      for (let f = 0; f < PER_FOLDER; f++) await writeFile(path.join(folder, `f${f}.txt`), randomBytes(FILE_SIZE));
    }),
  );
}

/** Stops each node by its PID (SIGTERM) and checks that every process is gone. */
async function stopAll(nodes: NodeProcess[]): Promise<void> {
  const pids = nodes.map((node) => node.pid);
  await Promise.all(nodes.map((node) => node.kill('SIGTERM')));
  for (const pid of pids) assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `process ${pid} is gone`);
}

/** Waits for the file counts (cheap), then for equal tree hashes; reports how long the burst took to spread. */
async function converged(t: TestContext, dirs: string[], files: number, started: number, expected?: Record<string, string>): Promise<Record<string, string>> {
  await waitForFileCounts(dirs, files, 240_000);
  t.diagnostic(`every peer had ${files} files after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return waitForSameTrees(dirs, { expected, timeoutMs: 60_000 });
}

test('five peers in a line converge after a burst of 10,000 files on one end', async (t) => {
  // Each dials its right-hand neighbour.
  const { dirs, nodes } = await startNetwork([[1], [2], [3], [4], []]);
  const started = Date.now();
  await burst(dirs[0]!, 'line');
  const expected = await treeOf(dirs[0]!);
  assert.equal(Object.keys(expected).length, BURST + FOLDERS * 2, 'the burst is on the writer');
  await converged(t, dirs, BURST, started, expected);
  await stopAll(nodes);
});

test('a hub and four leaves converge after a burst of 10,000 files on one leaf, and a change from another leaf reaches all', async (t) => {
  // Index 0 is the hub; every leaf dials it and nobody else.
  const { dirs, nodes } = await startNetwork([[], [0], [0], [0], [0]]);
  const started = Date.now();
  await burst(dirs[1]!, 'star');
  await writeFile(path.join(dirs[3]!, 'from-leaf-3.txt'), 'hello from a leaf');
  const tree = await converged(t, dirs, BURST + 1, started);
  assert.ok(tree['from-leaf-3.txt'], 'the other leaf\'s file reached every peer');
  assert.equal(Object.keys(tree).filter((p) => p.startsWith('star-')).length, FOLDERS * (PER_FOLDER + 2), 'the whole burst reached every peer');
  await stopAll(nodes);
});
