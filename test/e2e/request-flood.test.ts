/**
 * An authenticated peer that sends thousands of ChunkRequests for a real file
 * and never reads the replies must not grow the node's memory without bound
 * (it once went from 76 MB to 1.39 GB for 4,000 requests). Afterwards a normal
 * peer still syncs from the same node.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chunkerParams } from '../../src/chunker/params.js';
import { cleanupNodes, removeTempDirs } from '../helpers/node-process.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { MiB, PortRange, SECRET, newShare, procStatusBytes, startSyncNode, whenLinked } from '../helpers/sync-node.js';
import { treeOf, waitForSameTrees, waitUntil } from '../helpers/tree.js';

const ports = new PortRange(24880, 24899);
const CHUNK = 256 * 1024;
const REQUESTS = 4_000;
/** 4,000 replies of 256 KiB are ~1 GB; a bounded supplier stays far below this. */
const GROWTH_LIMIT = 200 * MiB;

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

test('a ChunkRequest flood from a peer that never reads stays bounded; a normal peer syncs afterwards', async (t) => {
  const dirA = newShare();
  const data = randomBytes(16 * MiB);
  await writeFile(path.join(dirA, 'big.bin'), data);
  const portA = ports.take();
  // Liveness would drop the silent intruder after the quick 3 s; the test wants
  // the flood to sit on the node for as long as it takes to measure.
  const a = startSyncNode(dirA, portA, [], ['--ping-timeout', '120000']);
  await a.waitForEvent('node.started');

  const intruder = await RawPeer.connect(portA);
  await intruder.authenticate(Buffer.from(SECRET), 'intruder', chunkerParams());
  intruder.send({ indexRequest: { indexId: '', since: 0 } });
  let digest: Uint8Array<ArrayBuffer> | undefined;
  await waitUntil('the node indexes big.bin and sends it', () => {
    digest = intruder.frames.flatMap((f) => f.index?.entries ?? f.indexUpdate?.entries ?? []).find((e) => e.path === 'big.bin')?.digest;
    return digest !== undefined;
  });

  const before = await procStatusBytes(a.pid, 'VmHWM');
  const from = a.mark();
  intruder.ws.pause(); // never read another byte
  const chunks = data.length / CHUNK;
  for (let i = 0; i < REQUESTS; i++) {
    const offset = (i % chunks) * CHUNK;
    const hash = createHash('sha256').update(data.subarray(offset, offset + CHUNK)).digest();
    intruder.send({ chunkRequest: { requestId: i + 1, wants: [{ path: 'big.bin', digest: digest!, offset, length: CHUNK, hash }] } });
  }

  let paused = false;
  await waitUntil('the node to stop reading, or to grow past the limit', async () => {
    paused ||= a.events.slice(from).some((e) => e.event === 'supplier.reading_paused');
    return paused || (await procStatusBytes(a.pid, 'VmHWM')) - before > GROWTH_LIMIT;
  });
  // Let whatever it would still build up get built.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const growth = (await procStatusBytes(a.pid, 'VmHWM')) - before;
  t.diagnostic(`peak RSS before ${(before / MiB).toFixed(0)} MiB, growth under the flood ${(growth / MiB).toFixed(0)} MiB`);
  assert.ok(growth < GROWTH_LIMIT, `peak RSS grew by ${(growth / MiB).toFixed(0)} MiB`);
  assert.ok(paused, 'the node stopped reading the flooding peer');
  intruder.close();

  const dirB = newShare();
  const b = startSyncNode(dirB, ports.take(), [portA]);
  await whenLinked(b);
  await waitForSameTrees([dirA, dirB], { expected: await treeOf(dirA), timeoutMs: 60_000 });
  assert.ok(a.running, 'the node survived the flood');
});
