/**
 * SIGTERM/SIGINT through the real CLI during a large transfer: the node stops
 * cleanly (exit 0, node.stopped, index closed, lock released), the peer logs
 * why the link closed, nothing partial is left in the share, and the next start
 * resumes from the verified chunks and converges (trees compared by SHA-256).
 * A second signal exits at once, still with nothing partial in the share.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { cleanupNodes, removeTempDirs, type NodeProcess } from '../helpers/node-process.js';
import { MiB, PortRange, newSharePair, partialBytesWritten, startSyncNode, whenLinked, writeRandomFile } from '../helpers/sync-node.js';
import { isLeftsyncOwn, treeOf, waitForSameTrees, waitUntil } from '../helpers/tree.js';

const ports = new PortRange(25200, 25299);
const SIZE = 100 * MiB;

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

async function transferUnderWay(): Promise<{ dirA: string; dirB: string; a: NodeProcess; b: NodeProcess }> {
  const { dirA, dirB, portA, portB } = newSharePair(ports);
  await writeRandomFile(path.join(dirA, 'large.bin'), SIZE);
  const a = startSyncNode(dirA, portA, [portB]);
  await a.waitForEvent('node.started', {}, 60_000);
  const b = startSyncNode(dirB, portB, [portA]);
  await waitUntil('the receiver has a quarter of the file', async () => (await partialBytesWritten(dirB)) >= SIZE / 4, 120_000);
  return { dirA, dirB, a, b };
}

/** The share holds nothing but the state folder and the share marker: no partial large.bin. */
async function assertNothingPartial(dir: string): Promise<void> {
  assert.deepEqual((await readdir(dir)).filter((name) => !isLeftsyncOwn(name)), [], `nothing partial in ${dir}`);
}

async function assertCleanStop(node: NodeProcess, from: number): Promise<void> {
  assert.deepEqual(await node.exit, { code: 0, signal: null }, `clean exit; events: ${node.events.slice(from).map((e) => e.event).join(', ')}`);
  const events = node.events.slice(from).map((e) => e.event);
  assert.ok(events.includes('node.stopped'), `node.stopped logged: ${events.join(', ')}`);
  assert.ok(!events.includes('node.stop_timeout'));
  assert.ok(!existsSync(path.join(node.dir, '.leftsync', 'lock')), 'lock released');
}

test('receiver SIGTERMed during a 100 MiB transfer: exit 0, node.stopped, the sender logs why; the restart resumes and converges', async () => {
  const { dirA, dirB, a, b } = await transferUnderWay();
  const fromA = a.mark();
  const fromB = b.mark();
  await b.kill('SIGTERM');
  await assertCleanStop(b, fromB);
  await assertNothingPartial(dirB);
  const closed = await a.waitForEvent('peer.disconnected', {}, 10_000, fromA);
  assert.equal(closed.code, 'LS_STOPPING', 'the peer logs why the link closed');
  assert.match(String(closed.reason), /the peer is stopping/);

  b.spawn();
  await whenLinked(b);
  const done = await b.waitForEvent('transfer.done', { path: 'large.bin' }, 180_000);
  assert.ok(Number(done.chunksResumed) > 0, 'chunks verified before the stop were kept');
  await waitForSameTrees([dirA, dirB], { expected: await treeOf(dirA), timeoutMs: 60_000 });
});

test('sender SIGINTed during a transfer: exit 0, node.stopped, the receiver logs why; the restarted sender finishes it', async () => {
  const { dirA, dirB, a, b } = await transferUnderWay();
  const fromA = a.mark();
  const fromB = b.mark();
  await a.kill('SIGINT');
  await assertCleanStop(a, fromA);
  const closed = await b.waitForEvent('peer.disconnected', {}, 10_000, fromB);
  assert.equal(closed.code, 'LS_STOPPING');
  await assertNothingPartial(dirB);

  a.spawn();
  await b.waitForEvent('transfer.done', { path: 'large.bin' }, 180_000);
  await waitForSameTrees([dirA, dirB], { expected: await treeOf(dirA), timeoutMs: 60_000 });
});

test('a second SIGTERM exits at once (143) with nothing partial in the share; the next start converges', async () => {
  const { dirA, dirB, b } = await transferUnderWay();
  b.child.kill('SIGTERM');
  b.child.kill('SIGTERM');
  const exit = await b.exit;
  // Either the second signal cut the stop short, or the stop had already finished.
  assert.ok(exit.code === 143 || exit.code === 0, `exit code ${String(exit.code)}`);
  await assertNothingPartial(dirB);

  b.spawn();
  await b.waitForEvent('transfer.done', { path: 'large.bin' }, 180_000);
  await waitForSameTrees([dirA, dirB], { expected: await treeOf(dirA), timeoutMs: 60_000 });
});
