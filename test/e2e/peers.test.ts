/**
 * More than a happy pair, through the real CLI: the same file edited on both
 * sides while they are apart keeps both versions, and three peers in a line
 * (A-B, B-C) carry files from one end to the other.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cleanupNodes, removeTempDirs } from '../helpers/node-process.js';
import { PortRange, newShare, newSharePair, startLinkedPair, startSyncNode, whenLinked } from '../helpers/sync-node.js';
import { treeOf, waitForSameTrees } from '../helpers/tree.js';

const ports = new PortRange(24300, 24399);
const CONFLICT_NAME = /^notes\.sync-conflict-\d{8}-\d{6}-[0-9a-zA-Z]+\.txt$/;

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

test('the same file edited on both sides while disconnected: both versions survive, identical on both sides', async (t) => {
  const pair = newSharePair(ports);
  const { dirA, dirB } = pair;
  await writeFile(path.join(dirA, 'notes.txt'), 'the original\n');
  const { a, b } = await startLinkedPair(pair);
  await waitForSameTrees([dirA, dirB], { expected: await treeOf(dirA) });

  await b.kill('SIGKILL');
  await writeFile(path.join(dirA, 'notes.txt'), 'edited on A while B was down\n');
  await writeFile(path.join(dirB, 'notes.txt'), 'edited on B while it was down, a longer line\n');
  // Whether or not A has scanned its edit when B returns, the two edits are concurrent.
  b.spawn();

  const tree = await waitForSameTrees([dirA, dirB], { stableMs: 1_000, timeoutMs: 60_000 });
  const names = Object.keys(tree).sort();
  t.diagnostic(`after reconnecting both sides hold: ${names.join(', ')}`);
  assert.equal(names.length, 2, `expected notes.txt and one conflict copy, got ${names.join(', ')}`);
  assert.ok(names.includes('notes.txt'));
  const copy = names.find((n) => n !== 'notes.txt')!;
  assert.match(copy, CONFLICT_NAME);
  const contents = new Set([await readFile(path.join(dirA, 'notes.txt'), 'utf8'), await readFile(path.join(dirA, copy), 'utf8')]);
  assert.deepEqual(contents, new Set(['edited on A while B was down\n', 'edited on B while it was down, a longer line\n']));
});

test('a deletion made while the other side was down reaches it and does not come back', async () => {
  const pair = newSharePair(ports);
  const { dirA, dirB } = pair;
  await writeFile(path.join(dirA, 'doomed.txt'), 'delete me\n');
  await writeFile(path.join(dirA, 'kept.txt'), 'keep me\n');
  const { a, b } = await startLinkedPair(pair);
  await waitForSameTrees([dirA, dirB], { expected: await treeOf(dirA) });

  await b.kill('SIGKILL');
  await rm(path.join(dirA, 'doomed.txt'));
  b.spawn();
  const tree = await waitForSameTrees([dirA, dirB], { expected: await treeOf(dirA), stableMs: 2_500, timeoutMs: 30_000 });
  assert.deepEqual(Object.keys(tree), ['kept.txt']);
});

test('three peers in a line (A-B, B-C; A and C not linked): files travel from A to C and from C to A', async () => {
  const [dirA, dirB, dirC] = [newShare(), newShare(), newShare()];
  const [portA, portB, portC] = [ports.take(), ports.take(), ports.take()];
  const b = startSyncNode(dirB, portB, []);
  const a = startSyncNode(dirA, portA, [portB]);
  const c = startSyncNode(dirC, portC, [portB]);
  await Promise.all([whenLinked(a), whenLinked(b, 2), whenLinked(c)]);

  await writeFile(path.join(dirA, 'from-a.txt'), 'written on A\n');
  await waitForSameTrees([dirA, dirB, dirC], { expected: await treeOf(dirA), timeoutMs: 30_000 });

  await writeFile(path.join(dirC, 'from-c.txt'), 'written on C\n');
  const tree = await waitForSameTrees([dirA, dirB, dirC], { expected: await treeOf(dirC), timeoutMs: 30_000 });
  assert.deepEqual(Object.keys(tree).sort(), ['from-a.txt', 'from-c.txt']);

  // A and C never linked to each other.
  const linkedPeers = (node: typeof a) => new Set(node.events.filter((e) => e.event === 'peer.connected').map((e) => String(e.peer)));
  const idOf = async (node: typeof a) => String((await node.waitForEvent('node.started')).peer);
  assert.ok(!linkedPeers(a).has(await idOf(c)), 'A is not linked to C');
  assert.ok(!linkedPeers(c).has(await idOf(a)), 'C is not linked to A');
});
