/**
 * Many chunks per ChunkRequest (protocol version 4): a run of one file is read
 * once and every chunk of it still verified; each want has its own error code;
 * a lying reply for one chunk of a run is asked again and never written; the
 * supplier bounds the bytes it answers at once and the weight of what waits.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { decodeChunk } from '../../src/codec/lz4.js';
import { ErrorCode } from '../../src/errors.js';
import type { IndexEntry, StoredChunk } from '../../src/model/entries.js';
import { MAX_CHUNK_BYTES, MAX_REQUEST_BYTES, MAX_WANTS_PER_REQUEST } from '../../src/protocol/limits.js';
import type { ChunkReply, ChunkWant, Frame } from '../../src/protocol/messages.js';
import { ReadHandles } from '../../src/transfer/read-handles.js';
import { TempFile } from '../../src/transfer/temp-file.js';
import { MAX_ANSWERING_BYTES, MAX_WAITING_REQUESTS } from '../../src/transfer/supplier.js';
import { waitFor } from '../peer/harness.js';
import { createRig, putFile, recordingSupplier, setupForTest } from './rig.js';

const sha = (data: Uint8Array) => createHash('sha256').update(data).digest();

function wantOf(entry: IndexEntry, chunk: StoredChunk): ChunkWant {
  return { path: entry.path, digest: new Uint8Array(entry.digest), offset: chunk.offset, length: chunk.length, hash: new Uint8Array(chunk.hash) };
}

/** Counts the supplier's file reads. */
function countReads(t: { after(fn: () => void): void }): { reads: number } {
  const counter = { reads: 0 };
  const original = ReadHandles.prototype.read;
  ReadHandles.prototype.read = function (this: ReadHandles, ...args: Parameters<typeof original>) {
    counter.reads++;
    return original.apply(this, args);
  };
  t.after(() => {
    ReadHandles.prototype.read = original;
  });
  return counter;
}

/** Records every run the puller writes into a temp file (offset, a copy of the bytes). */
function watchWrites(t: { after(fn: () => void): void }, written: Array<[number, Buffer]>): void {
  const original = TempFile.prototype.writeRun;
  TempFile.prototype.writeRun = function (this: TempFile, run: StoredChunk[], data: Buffer | readonly Buffer[]) {
    written.push([run[0]!.offset, Buffer.concat(Buffer.isBuffer(data) ? [data] : data)]);
    return original.call(this, run, data);
  };
  t.after(() => {
    TempFile.prototype.writeRun = original;
  });
}

test('a request for a run of contiguous chunks is read once and answers each chunk, verified, in want order', async (t) => {
  const { src } = await setupForTest(t, 'runs-one-read');
  const data = randomBytes(1536 * 1024);
  const entry = await putFile(src, 'big.bin', data);
  const chunks = src.index.chunksOf('big.bin');
  assert.ok(chunks.length >= 8 && chunks.length <= MAX_WANTS_PER_REQUEST, `${chunks.length} chunks`);
  const { supplier, sent } = recordingSupplier(src);
  const counter = countReads(t);
  await supplier.answerChunk({ requestId: 5, wants: chunks.map((c) => wantOf(entry, c)) });
  assert.equal(counter.reads, 1, 'one read for the whole run');
  assert.equal(sent.length, chunks.length, 'one reply per want');
  sent.forEach((frame, i) => {
    const reply = frame.chunkReply!;
    assert.equal(reply.requestId, 5);
    assert.equal(reply.index, i);
    assert.equal(reply.errorCode, '');
    const bytes = decodeChunk(reply.payload, reply.compressed, chunks[i]!.length);
    assert.ok(sha(bytes).equals(chunks[i]!.hash), `chunk ${i} verified`);
    assert.ok(bytes.equals(data.subarray(chunks[i]!.offset, chunks[i]!.offset + chunks[i]!.length)));
  });

  // The file changed on disk since it was indexed (same size, so only the hash tells): every chunk is hashed, none of the changed ones leaves.
  const changed = Buffer.from(data);
  changed[chunks[2]!.offset] ^= 0xff;
  await writeFile(path.join(src.shareDir, 'big.bin'), changed);
  const later = new Date(Date.now() + 10_000);
  await utimes(path.join(src.shareDir, 'big.bin'), later, later);
  sent.length = 0;
  await supplier.answerChunk({ requestId: 6, wants: chunks.slice(0, 4).map((c) => wantOf(entry, c)) });
  assert.deepEqual(sent.map((f) => [f.chunkReply!.index, f.chunkReply!.errorCode]), [[0, ''], [1, ''], [2, ErrorCode.VERSION_GONE], [3, '']]);
  supplier.close();
});

test('successive runs are read into one reused buffer, and what was sent of a run is not changed by the next read', async (t) => {
  const { src } = await setupForTest(t, 'runs-reused-buffer');
  const data = randomBytes(2 * 1024 * 1024);
  const entry = await putFile(src, 'big.bin', data);
  const chunks = src.index.chunksOf('big.bin');
  // Two runs of 64-512 KiB: read through an open handle (shorter ones are read synchronously, unpooled), one block size.
  const runOf = (from: number): StoredChunk[] => {
    const run: StoredChunk[] = [];
    for (let bytes = 0, k = from; k < chunks.length && bytes + chunks[k]!.length <= 512 * 1024; k++) {
      run.push(chunks[k]!);
      bytes += chunks[k]!.length;
    }
    return run;
  };
  const first = runOf(0);
  const second = runOf(first.length);
  assert.ok(first.length > 1 && second.length > 1);
  const blocks: ArrayBufferLike[] = [];
  const original = ReadHandles.prototype.read;
  ReadHandles.prototype.read = async function (this: ReadHandles, ...args: Parameters<typeof original>) {
    const run = await original.apply(this, args);
    blocks.push(run.data.buffer);
    return run;
  };
  t.after(() => {
    ReadHandles.prototype.read = original;
  });
  const { supplier, sent } = recordingSupplier(src);
  await supplier.answerChunk({ requestId: 1, wants: first.map((c) => wantOf(entry, c)) });
  await supplier.answerChunk({ requestId: 2, wants: second.map((c) => wantOf(entry, c)) });
  assert.equal(blocks.length, 2);
  assert.ok(blocks[1] === blocks[0], 'the second run landed in the first run\'s buffer');
  const served = [...first, ...second];
  assert.equal(sent.length, served.length);
  sent.forEach((frame, k) => {
    const chunk = served[k]!;
    const bytes = decodeChunk(frame.chunkReply!.payload, frame.chunkReply!.compressed, chunk.length);
    assert.ok(bytes.equals(data.subarray(chunk.offset, chunk.offset + chunk.length)), `chunk ${k} as on disk`);
  });
  supplier.close();
});

test('a want for a version that is gone gets VERSION_GONE while the others of the same request succeed', async (t) => {
  const { src, dst } = await setupForTest(t, 'runs-gone-one');
  const a = await putFile(src, 'a.txt', randomBytes(3000));
  const oldB = await putFile(src, 'b.txt', randomBytes(3000));
  const c = await putFile(src, 'c.txt', randomBytes(3000));
  await putFile(src, 'b.txt', randomBytes(3001));
  const { supplier, sent } = recordingSupplier(src);
  const chunk = (e: IndexEntry): StoredChunk => ({ offset: 0, length: e.size, hash: e.digest });
  await supplier.answerChunk({ requestId: 9, wants: [a, oldB, c].map((e) => wantOf(e, chunk(e))) });
  assert.deepEqual(sent.map((f) => [f.chunkReply!.index, f.chunkReply!.errorCode]), [[0, ''], [1, ErrorCode.VERSION_GONE], [2, '']]);
  supplier.close();

  // The puller side: the batch is one request, and only b is gone.
  const rig = createRig(src, dst);
  const results = await rig.puller.pullSmall([a, oldB, c]);
  assert.deepEqual(results.map((r) => r.outcome), ['verified', 'gone', 'verified']);
  assert.equal(rig.chunkRequests, 1, 'the three files in one request');
});

test('many small files go in as few requests as the limits allow', async (t) => {
  const { src, dst } = await setupForTest(t, 'runs-small-batch');
  const entries: IndexEntry[] = [];
  for (let i = 0; i < MAX_WANTS_PER_REQUEST + 10; i++) entries.push(await putFile(src, `f${i}.txt`, randomBytes(100 + i)));
  const rig = createRig(src, dst);
  const results = await rig.puller.pullSmall(entries);
  assert.ok(results.every((r) => r.outcome === 'verified'));
  assert.equal(rig.chunkRequests, 2, `${entries.length} files: two requests`);
});

test('a lying reply for one chunk of a run is asked again alone, never written, and the file is correct', async (t) => {
  const { src, dst } = await setupForTest(t, 'runs-lying');
  const data = randomBytes(1024 * 1024);
  const entry = await putFile(src, 'c.bin', data);
  const chunks = src.index.chunksOf('c.bin');
  const victim = chunks[3]!;
  let lied = false;
  /** The first request's id: its fourth reply is the lie (the second request, in flight at once, may answer first). */
  let firstRequestId: number | null = null;
  const asked: number[][] = [];
  const written: Array<[number, Buffer]> = [];
  const rig = createRig(src, dst, {
    tamper: (frame) => {
      const reply = frame.chunkReply;
      if (!reply || lied || reply.index !== 3 || reply.requestId !== firstRequestId) return frame;
      lied = true;
      // Right length, right hash field, wrong bytes: only verification catches it.
      return { chunkReply: { ...reply, compressed: false, payload: new Uint8Array(randomBytes(victim.length)) } satisfies ChunkReply };
    },
  });
  const conn = rig.conn;
  const send = conn.send.bind(conn);
  conn.send = (frame: Frame) => {
    if (frame.chunkRequest) {
      firstRequestId ??= frame.chunkRequest.requestId;
      asked.push(frame.chunkRequest.wants.map((w) => w.offset));
    }
    return send(frame);
  };
  watchWrites(t, written);
  assert.equal(await rig.apply(entry), 'applied');
  assert.ok((await readFile(path.join(dst.shareDir, 'c.bin'))).equals(data));
  assert.ok(lied);
  assert.ok(asked[0]!.length > 4, 'the first request is a run');
  assert.deepEqual(asked.at(-1), [victim.offset], 'the lying chunk asked again, alone');
  assert.equal(rig.requestedOffsets.length, chunks.length + 1);
  for (const [offset, bytes] of written) {
    const end = offset + bytes.length;
    if (offset <= victim.offset && victim.offset + victim.length <= end) {
      const at = victim.offset - offset;
      assert.ok(bytes.subarray(at, at + victim.length).equals(data.subarray(victim.offset, victim.offset + victim.length)), 'only the true bytes were written');
    }
  }
});

test('the supplier holds at most MAX_ANSWERING_BYTES of answers at once, and pauses reading on the weight of what waits', async (t) => {
  const { src } = await setupForTest(t, 'runs-bounded');
  const data = randomBytes(MAX_REQUEST_BYTES);
  await writeFile(path.join(src.shareDir, 'big.bin'), data);
  await src.scan(['big.bin']);
  const entry = src.index.get('big.bin')!;
  const { supplier, sent, releases, reading } = recordingSupplier(src, { blocked: true });
  // Requests of half MAX_ANSWERING_BYTES each (the hashes need not match: gone is an answer too): two run, two wait.
  const perRequest = MAX_ANSWERING_BYTES / 2;
  const full = (id: number) => ({
    requestId: id,
    wants: Array.from({ length: perRequest / MAX_CHUNK_BYTES }, (_, i) => ({
      path: 'big.bin', digest: new Uint8Array(entry.digest), offset: i * MAX_CHUNK_BYTES, length: MAX_CHUNK_BYTES, hash: new Uint8Array(32),
    })),
  });
  const answers = [1, 2, 3, 4].map((id) => supplier.answerChunk(full(id)));
  await waitFor('the first replies', () => sent.length === 2);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(supplier.load.answering, 2, 'bounded by bytes, not only by count');
  assert.equal(supplier.load.waiting, 2);

  // Requests naming long paths weigh far more than their count: reading pauses long before MAX_WAITING_REQUESTS.
  const longPath = `${'d/'.repeat(1000)}x`;
  const heavy = (id: number) => ({
    requestId: id,
    wants: Array.from({ length: MAX_WANTS_PER_REQUEST }, (_, i) => ({ path: `${longPath}${i}`, digest: new Uint8Array(32), offset: 0, length: 1, hash: new Uint8Array(32) })),
  });
  const more = Array.from({ length: 40 }, (_, i) => supplier.answerChunk(heavy(100 + i)));
  assert.equal(supplier.load.readingPaused, true);
  assert.equal(reading.pauses, 1);
  assert.ok(supplier.load.waiting < MAX_WAITING_REQUESTS / 4, `paused with ${supplier.load.waiting} waiting`);

  // Let everything drain.
  const drain = setInterval(() => releases.splice(0).forEach((release) => release()), 1);
  await Promise.all([...answers, ...more]);
  clearInterval(drain);
  assert.deepEqual(supplier.load, { answering: 0, waiting: 0, readingPaused: false });
  supplier.close();
});
