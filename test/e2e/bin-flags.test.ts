/**
 * A pair run as the bin's shebang runs it (its node flags and environment, as the
 * bench does): a 24 MiB random file crosses intact, and the receiver collected its
 * young generation along the way (src/transport/young-gc.ts, under --expose-gc),
 * which --trace-gc reports on stdout as scavenges asked for by gc(): "testing".
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { BIN_ENV, NODE_FLAGS } from '../../bench/sync-rig.js';
import { cleanupNodes, removeTempDirs, type StartOptions } from '../helpers/node-process.js';
import { MiB, PortRange, newSharePair, startSyncNode, whenLinked, writeRandomFile } from '../helpers/sync-node.js';
import { sha256File } from '../helpers/tree.js';

const ports = new PortRange(25400, 25409);

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

test("with the bin's node flags, a 24 MiB file crosses intact and the receiver collects what it received as it goes", async () => {
  assert.ok(NODE_FLAGS.includes('--expose-gc'), 'the bin exposes gc()');
  const pair = newSharePair(ports);
  const asTheBin: StartOptions = { env: BIN_ENV, nodeFlags: [...NODE_FLAGS, '--trace-gc'], stdout: true };
  const a = startSyncNode(pair.dirA, pair.portA, [pair.portB], [], asTheBin);
  const b = startSyncNode(pair.dirB, pair.portB, [pair.portA], [], asTheBin);
  await Promise.all([whenLinked(a), whenLinked(b)]);

  const before = b.stdoutLines.length;
  const source = path.join(pair.dirA, 'random-24m.bin');
  await writeRandomFile(source, 24 * MiB);
  await b.waitForEvent('transfer.done', { path: 'random-24m.bin' }, 120_000);
  assert.equal(await sha256File(path.join(pair.dirB, 'random-24m.bin')), await sha256File(source));

  const asked = b.stdoutLines.slice(before).filter((line) => /Scavenge.*testing/.test(line));
  // One per MiB received: 24 for the file's bytes, a few fewer if a collection came due just after the transfer.
  assert.ok(asked.length >= 20, `${asked.length} young collections asked for while 24 MiB arrived`);
});
