/**
 * Sizes through the real CLI: a 10 MiB random file, a folder of 50 files of
 * 1 KiB, a 500 MiB file (1 KiB random then zeros) with the peak RSS of both
 * processes under 150 MB, and a 9-byte overwrite of that file that costs a few
 * chunks on the wire, not the file.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cleanupNodes, removeTempDirs } from '../helpers/node-process.js';
import {
  MiB,
  PortRange,
  newSharePair,
  overwriteAt,
  procStatusBytes,
  startLinkedPair,
  transfersDone,
  writeRandomFile,
  writeSparseFile,
} from '../helpers/sync-node.js';
import { sha256File, treeOf, waitForSameTrees, waitUntil } from '../helpers/tree.js';

const ports = new PortRange(24100, 24199);
const RSS_LIMIT = 150 * 1000 * 1000;

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

test('10 MiB, 50 x 1 KiB, 500 MiB under 150 MB RSS, and a 9-byte edit of it costs a few chunks', async (t) => {
  const pair = newSharePair(ports);
  const { dirA, dirB } = pair;
  const { a, b } = await startLinkedPair(pair);

  // 10 MiB of random bytes, A -> B.
  await writeRandomFile(path.join(dirA, 'random-10m.bin'), 10 * MiB);
  await waitForSameTrees([dirA, dirB], { expected: await treeOf(dirA), timeoutMs: 60_000 });
  const tenMiB = transfersDone(b, 'random-10m.bin').at(-1);
  t.diagnostic(`10 MiB random: ${String(tenMiB?.bytesReceived)} bytes received, ${String(tenMiB?.chunksFetched)} chunks`);

  // A folder of 50 files of 1 KiB, B -> A.
  await mkdir(path.join(dirB, 'small'));
  for (let i = 0; i < 50; i++) await writeFile(path.join(dirB, 'small', `f${String(i).padStart(2, '0')}.bin`), randomBytes(1024));
  const withSmall = await waitForSameTrees([dirA, dirB], { expected: await treeOf(dirB), timeoutMs: 60_000 });
  assert.equal(Object.keys(withSmall).filter((p) => p.startsWith('small/')).length, 50);

  // 500 MiB: 1 KiB random, then zeros (sparse on the sender).
  const bigSize = 500 * MiB;
  const bigA = path.join(dirA, 'big-500m.bin');
  await writeSparseFile(bigA, 1024, bigSize);
  const bigHash = await sha256File(bigA);
  await b.waitForEvent('transfer.done', { path: 'big-500m.bin' }, 180_000);
  await waitUntil('B has the 500 MiB file', async () => (await sha256File(path.join(dirB, 'big-500m.bin')).catch(() => '')) === bigHash, 60_000);
  const peakA = await procStatusBytes(a.pid, 'VmHWM');
  const peakB = await procStatusBytes(b.pid, 'VmHWM');
  const big = transfersDone(b, 'big-500m.bin').at(-1)!;
  t.diagnostic(`500 MiB sparse file: peak RSS sender ${(peakA / 1e6).toFixed(1)} MB, receiver ${(peakB / 1e6).toFixed(1)} MB; ` +
    `${String(big.bytesReceived)} bytes received, ${String(big.chunksFetched)} chunks fetched, ${String(big.chunksReused)} reused`);
  // VmHWM is the peak over the whole life of each process, so it covers this sync.
  assert.ok(peakA < RSS_LIMIT, `sender peak RSS ${peakA} bytes`);
  assert.ok(peakB < RSS_LIMIT, `receiver peak RSS ${peakB} bytes`);
  await waitForSameTrees([dirA, dirB], { expected: await treeOf(dirA), timeoutMs: 60_000 });

  // Overwrite 9 bytes at offset 0: a few chunks cross the wire.
  const from = b.mark();
  const fromA = a.mark();
  const sentBefore = Number(a.events.filter((e) => e.event === 'transfer.stats').at(-1)?.bytesSent ?? 0);
  await overwriteAt(bigA, 0, Buffer.from('NINEBYTES'));
  const edit = await b.waitForEvent('transfer.done', { path: 'big-500m.bin' }, 120_000, from);
  await waitForSameTrees([dirA, dirB], { expected: await treeOf(dirA), timeoutMs: 60_000 });
  // The sender's link counter moved by what it sent for the edit.
  const sentAfter = Number((await a.waitForEvent('transfer.stats', {}, 10_000, fromA)).bytesSent);
  t.diagnostic(`9-byte overwrite of the 500 MiB file: receiver got ${String(edit.bytesReceived)} bytes in ${String(edit.chunksFetched)} chunks ` +
    `(${String(edit.chunksReused)} reused); sender's bytesSent grew by ${sentAfter - sentBefore}`);
  assert.ok(sentAfter - sentBefore < 1 * MiB, `sender sent ${sentAfter - sentBefore} bytes for the edit`);
  assert.ok(Number(edit.bytesReceived) < 1 * MiB, `9-byte edit moved ${String(edit.bytesReceived)} bytes`);
  assert.ok(Number(edit.chunksFetched) <= 4, `9-byte edit fetched ${String(edit.chunksFetched)} chunks`);
});
