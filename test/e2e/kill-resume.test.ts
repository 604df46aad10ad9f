/**
 * SIGKILL mid-transfer through the real CLI, then restart: the peers converge
 * and chunks verified before the kill are not fetched again.
 *
 * How "bytes sent after the restart are under 10 % of the file" is read: a
 * receiver killed halfway still has to fetch the half it never got, so what must
 * be (almost) nothing is the re-fetch of what it had already received. The kill
 * comes once the partial download holds half the file (its allocated blocks,
 * polled every 50 ms, so a fast transfer is still caught halfway); the bytes
 * received before the kill are at least what the partial held then, or the last
 * transfer.stats line. After the restart the receiver may fetch at most the rest
 * of the file plus 10 % of it:
 *     bytesAfterRestart <= size - receivedBeforeKill + 10 % of size.
 * Without resume it would fetch the whole file again and fail this bound.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { cleanupNodes, removeTempDirs, type NodeProcess } from '../helpers/node-process.js';
import { MiB, PortRange, newSharePair, partialBytesWritten, procStatusBytes, rawBytesReceived, startSyncNode, transfersDone, whenLinked, writeRandomFile } from '../helpers/sync-node.js';
import { treeOf, waitForSameTrees, waitUntil } from '../helpers/tree.js';

const ports = new PortRange(24200, 24299);
const SIZE = 200 * MiB;

/**
 * A holds a SIZE-byte random file and B is pulling it; resolves once B's partial
 * download holds half of it, with how many bytes that partial held.
 */
async function transferHalfway(): Promise<{ dirA: string; dirB: string; a: NodeProcess; b: NodeProcess; written: number }> {
  const { dirA, dirB, portA, portB } = newSharePair(ports);
  await writeRandomFile(path.join(dirA, 'large.bin'), SIZE);
  const a = startSyncNode(dirA, portA, [portB]);
  await a.waitForEvent('node.started', {}, 60_000);
  const b = startSyncNode(dirB, portB, [portA]);
  let written = 0;
  await waitUntil('the receiver has half of the file', async () => (written = await partialBytesWritten(dirB)) >= SIZE / 2, 120_000);
  return { dirA, dirB, a, b, written };
}

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

test('receiver SIGKILLed halfway through a 200 MiB file: after restart only the rest is fetched', async (t) => {
  const { dirA, dirB, a, b, written } = await transferHalfway();
  await b.kill('SIGKILL');
  const before = Math.max(written, rawBytesReceived(b));
  assert.equal(transfersDone(b, 'large.bin').length, 0, 'killed before the transfer finished');

  b.spawn();
  await whenLinked(b);
  const done = await b.waitForEvent('transfer.done', { path: 'large.bin' }, 180_000);
  await waitForSameTrees([dirA, dirB], { expected: await treeOf(dirA), timeoutMs: 60_000 });
  const after = Number(done.bytesReceived);
  t.diagnostic(`receiver killed after ${before} of ${SIZE} bytes; after restart it received ${after} bytes ` +
    `(${String(done.chunksResumed)} chunks resumed, ${String(done.chunksFetched)} fetched); bound ${SIZE - before + SIZE / 10}; ` +
    `fetched twice at most ${Math.max(0, before + after - SIZE)} bytes (${((100 * Math.max(0, before + after - SIZE)) / SIZE).toFixed(1)} % of the file)`);
  // For the record: memory while moving 200 MiB of incompressible data (the sender's whole life, the restarted receiver's).
  t.diagnostic(`peak RSS: sender ${((await procStatusBytes(a.pid, 'VmHWM')) / 1e6).toFixed(1)} MB, ` +
    `restarted receiver ${((await procStatusBytes(b.pid, 'VmHWM')) / 1e6).toFixed(1)} MB`);
  assert.ok(Number(done.chunksResumed) > 0, 'chunks verified before the kill were kept');
  assert.ok(after <= SIZE - before + SIZE / 10, `after the restart ${after} bytes, received ${before} before the kill`);
});

test('sender SIGKILLed mid-transfer and restarted on its port: the receiver resumes from its verified chunks', async (t) => {
  const { dirA, dirB, a, b, written } = await transferHalfway();
  await a.kill('SIGKILL');
  const before = Math.max(written, rawBytesReceived(b));
  a.spawn();

  const done = await b.waitForEvent('transfer.done', { path: 'large.bin' }, 180_000);
  await waitForSameTrees([dirA, dirB], { expected: await treeOf(dirA), timeoutMs: 60_000 });
  const doneEvents = transfersDone(b, 'large.bin');
  assert.equal(doneEvents.length, 1);
  t.diagnostic(`sender killed when the receiver had ${before} of ${SIZE} bytes; the finishing attempt received ${String(done.bytesReceived)} bytes ` +
    `(${String(done.chunksResumed)} chunks resumed)`);
  assert.ok(Number(done.chunksResumed) > 0, 'verified chunks kept across the sender restart');
  assert.ok(Number(done.bytesReceived) <= SIZE - before + SIZE / 10, `the finishing attempt received ${String(done.bytesReceived)} bytes`);
});
