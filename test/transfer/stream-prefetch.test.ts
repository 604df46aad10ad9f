/**
 * Streaming sync in one process: a supplier serving a file it is still
 * "hashing" (published, not indexed), a receiver's prefetch filling the stream
 * partial, and the final pull adopting it. The lying cases: a supplier whose
 * chunk bytes do not match the published hash, and a published list whose
 * hashes do not match the file; neither ever gets a byte written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chunkerParams } from '../../src/chunker/params.js';
import { createLogger } from '../../src/log.js';
import type { StoredChunk } from '../../src/model/entries.js';
import { StreamPublisher } from '../../src/peer/stream-publish.js';
import { wireBytes } from '../../src/protocol/entries.js';
import type { Frame } from '../../src/protocol/messages.js';
import { hashFile } from '../../src/scanner/hash.js';
import { PeerEvents } from '../../src/status/peer-events.js';
import { tempDirOf } from '../../src/transfer/chunk-io.js';
import { GrowingFiles, STREAM_DIGEST } from '../../src/transfer/growing-files.js';
import { Puller } from '../../src/transfer/puller.js';
import { StatsCounter } from '../../src/transfer/stats.js';
import { StreamPrefetch } from '../../src/transfer/stream-prefetch.js';
import { createMemoryPair } from '../../src/transport/memory.js';
import { LogCapture } from '../helpers/log-capture.js';
import { waitUntil } from '../helpers/tree.js';
import { setup, supplierFor } from './rig.js';

const MiB = 1024 * 1024;
const NAME = 'big.bin';

async function streamRig(name: string, tamper: (frame: Frame) => Frame = (f) => f) {
  const { root, src, dst } = await setup(name);
  const data = randomBytes(3 * MiB);
  await writeFile(path.join(src.shareDir, NAME), data);
  const { chunks } = await hashFile(path.join(src.shareDir, NAME), chunkerParams(), data.length);
  const log = createLogger('test-stream');
  // The sender is "hashing" it: published, not indexed.
  const publisher = new StreamPublisher({ minBytes: 1, log });
  const hashing = publisher.begin(NAME, data.length)!;
  const [toSrc, toDst] = createMemoryPair(dst.id, src.id);
  const supplier = supplierFor(src, {
    log,
    reading: toDst,
    send: (frame) => toDst.send(tamper(frame)),
    isStreaming: (relPath) => publisher.isStreaming(relPath),
  });
  toDst.onFrame((frame) => {
    if (frame.chunkRequest) supplier.answerChunk(frame.chunkRequest).catch(() => undefined);
    if (frame.treeRequest) supplier.answerTree(frame.treeRequest).catch(() => undefined);
  });
  const growing = new GrowingFiles({ index: dst.index, stateDir: dst.stateDir, log });
  /** The wants of each ChunkRequest the receiver sent, in order. */
  const requests: number[] = [];
  const puller = new Puller({
    index: dst.index,
    shareDir: dst.shareDir,
    stateDir: dst.stateDir,
    peerId: src.id,
    send: (frame) => {
      if (frame.chunkRequest) requests.push(frame.chunkRequest.wants.length);
      return toSrc.send(frame);
    },
    stats: new StatsCounter(),
    events: new PeerEvents(dst.events, src.id),
    log,
    growing,
  });
  toSrc.onFrame((frame) => {
    const reply = frame.chunkReply ?? frame.treeReply;
    if (reply) puller.onReply(reply);
  });
  const prefetch = new StreamPrefetch({ growing, fetch: (relPath, chunks, landing) => puller.fetchStreamChunks(relPath, chunks, landing), wants: async () => true, holdsLocally: () => false, log });
  const publish = (list: StoredChunk[]) =>
    prefetch.onGrowing({ path: NAME, streamId: 1, size: data.length, chunks: list.map((c) => ({ offset: c.offset, length: c.length, hash: wireBytes(c.hash) })), done: true, abandoned: false });
  const streamPartial = () => dst.index.partial(NAME, STREAM_DIGEST);
  const cleanup = async () => {
    await growing.close();
    await rm(root, { recursive: true, force: true });
  };
  return { src, dst, data, chunks, hashing, puller, publish, streamPartial, requests, cleanup };
}

/** Bytes on disk of the stream partial's temp file (a file sized up front and never written holds none). */
async function allocatedBytes(stateDir: string, tempName: string): Promise<number> {
  return (await stat(path.join(tempDirOf(stateDir), tempName))).blocks * 512;
}

test('a stream is fetched into its partial before any entry exists, and the final pull adopts every chunk without fetching it again', async () => {
  const rig = await streamRig('stream-adopt');
  try {
    rig.publish(rig.chunks);
    await waitUntil('every published chunk is in the stream partial', () => rig.streamPartial()?.verifiedOffsets.size === rig.chunks.length);
    assert.equal(rig.dst.index.get(NAME), undefined, 'nothing recorded at the receiver');
    await assert.rejects(stat(path.join(rig.dst.shareDir, NAME)), 'nothing in the share');
    // The sender finishes: its entry is recorded; the receiver pulls that version.
    rig.hashing.end(true);
    await rig.src.scan([NAME]);
    const entry = rig.src.index.get(NAME)!;
    const result = await rig.puller.pull(entry);
    assert.equal(result.outcome, 'verified');
    if (result.outcome !== 'verified') return;
    assert.equal(result.file.counts.fetched, 0, 'no chunk fetched twice');
    assert.equal(result.file.counts.resumed, rig.chunks.length);
    assert.deepEqual(await readFile(result.file.tempPath), rig.data);
    assert.equal(rig.streamPartial(), undefined, 'the stream partial became the version partial');
  } finally {
    await rig.cleanup();
  }
});

test('a stream is asked for several chunks per request, up to 512 KiB each', async () => {
  const rig = await streamRig('stream-requests');
  try {
    rig.publish(rig.chunks);
    await waitUntil('every published chunk is in the stream partial', () => rig.streamPartial()?.verifiedOffsets.size === rig.chunks.length);
    assert.equal(rig.requests.reduce((sum, wants) => sum + wants, 0), rig.chunks.length, 'each chunk asked for once');
    // Chunks of at most 256 KiB: a request that stops short of 512 KiB has at least 256 KiB, so 3 MiB take at most 12.
    assert.ok(rig.requests.length <= 12, `${rig.requests.length} requests for ${rig.chunks.length} chunks`);
    assert.ok(rig.requests.some((wants) => wants > 1));
  } finally {
    await rig.cleanup();
  }
});

test('a supplier whose stream chunk does not match its published hash gets nothing written', async () => {
  const logs = new LogCapture();
  const rig = await streamRig('stream-lying-supplier', (frame) => {
    if (!frame.chunkReply || frame.chunkReply.errorCode !== '') return frame;
    const payload = Buffer.from(frame.chunkReply.payload);
    payload[payload.length - 1]! ^= 0xff;
    return { chunkReply: { ...frame.chunkReply, payload: wireBytes(payload) } };
  });
  try {
    rig.publish(rig.chunks);
    await logs.waitFor((e) => e.event === 'stream.fetch_failed' && (e.err as { code?: string }).code === 'LS_CHUNK_HASH_MISMATCH');
    await waitUntil('nothing in flight', () => rig.puller.outstanding === 0);
    assert.ok(logs.events.filter((e) => e.event === 'transfer.chunk_bad').length >= 3, 'each bad reply was refused');
    const partial = rig.streamPartial()!;
    assert.equal(partial.verifiedOffsets.size, 0, 'no chunk recorded');
    assert.equal(await allocatedBytes(rig.dst.stateDir, partial.tempName), 0, 'no byte written');
    await assert.rejects(stat(path.join(rig.dst.shareDir, NAME)));
  } finally {
    await rig.cleanup();
  }
});

test('a published list whose hashes do not match the file: the supplier refuses, nothing is written', async () => {
  const logs = new LogCapture();
  const rig = await streamRig('stream-lying-list');
  try {
    rig.publish(rig.chunks.map((c) => ({ ...c, hash: randomBytes(32) })));
    await logs.waitFor((e) => e.event === 'stream.gone');
    await waitUntil('nothing in flight', () => rig.puller.outstanding === 0);
    const partial = rig.streamPartial()!;
    assert.equal(partial.verifiedOffsets.size, 0);
    assert.equal(await allocatedBytes(rig.dst.stateDir, partial.tempName), 0);
  } finally {
    await rig.cleanup();
  }
});
