/**
 * --bwlimit between two real processes: the sender's cap holds an 8 MiB random
 * file (incompressible, so the payload is the file) to about 2 MiB/s. Only a
 * generous lower bound is asserted: a loaded machine may be slower, never faster.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { cleanupNodes, removeTempDirs, tempDir } from '../helpers/node-process.js';
import { MiB, PortRange, newSharePair, startSyncNode, transfersDone, whenLinked, writeRandomFile } from '../helpers/sync-node.js';
import { sha256File, waitUntil } from '../helpers/tree.js';

const ports = new PortRange(26700, 26799);

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

test('--bwlimit 2M on the sender makes 8 MiB take at least ~3 s, and it arrives intact', async () => {
  const pair = newSharePair(ports);
  const a = startSyncNode(pair.dirA, pair.portA, [pair.portB], ['--bwlimit', '2M']);
  const b = startSyncNode(pair.dirB, pair.portB, [pair.portA]);
  await Promise.all([whenLinked(a), whenLinked(b)]);

  const source = path.join(tempDir(), 'big.bin');
  await writeRandomFile(source, 8 * MiB);
  const started = Date.now();
  await rename(source, path.join(pair.dirA, 'big.bin'));
  await waitUntil('big.bin at B', () => transfersDone(b, 'big.bin').length > 0, 90_000);
  const took = Date.now() - started;

  // Unlimited, this is well under a second on loopback; 2 MiB/s with a 256 KiB burst needs ~3.9 s.
  assert.ok(took >= 3_000, `8 MiB at 2 MiB/s arrived after only ${took} ms`);
  assert.equal(await sha256File(path.join(pair.dirB, 'big.bin')), await sha256File(path.join(pair.dirA, 'big.bin')));
  const done = transfersDone(b, 'big.bin')[0]!;
  assert.ok(Number(done.bytesReceived) >= 8 * MiB, 'random bytes cross the wire whole');
});
