/**
 * A peer that floods ChunkRequests and never reads: the supplier answers a
 * bounded number at once, stops reading from the link while too many wait, and
 * reads again once it has caught up. The link's send never completes here, as
 * with a peer whose receive window stays full.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';
import type { ChunkRequest } from '../../src/protocol/messages.js';
import { MAX_ANSWERS_AT_ONCE, MAX_WAITING_REQUESTS } from '../../src/transfer/supplier.js';
import { waitFor } from '../peer/harness.js';
import { putFile, recordingSupplier, setupForTest } from './rig.js';

const CHUNK = 256 * 1024;

function requestsFor(data: Buffer, count: number, path: string, digest: Uint8Array): ChunkRequest[] {
  const chunks = data.length / CHUNK;
  return Array.from({ length: count }, (_, i) => {
    const offset = (i % chunks) * CHUNK;
    const hash = createHash('sha256').update(data.subarray(offset, offset + CHUNK)).digest();
    return { requestId: i + 1, wants: [{ path, digest: new Uint8Array(digest), offset, length: CHUNK, hash }] };
  });
}

test('4,000 chunk requests: a bounded number answered at once, reading paused, then resumed and all answered', async (t) => {
  const { src } = await setupForTest(t, 'supplier-load');
  const data = randomBytes(8 * CHUNK);
  const entry = await putFile(src, 'big.bin', data);
  const { supplier, sent, releases, reading } = recordingSupplier(src, { blocked: true });
  const answers = requestsFor(data, 4_000, 'big.bin', entry.digest).map((r) => supplier.answerChunk(r));

  await waitFor('the first answers to reach the link', () => sent.length === MAX_ANSWERS_AT_ONCE);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(sent.length, MAX_ANSWERS_AT_ONCE, 'no more replies than the bound are built while the link is blocked');
  assert.deepEqual(supplier.load, { answering: MAX_ANSWERS_AT_ONCE, waiting: 4_000 - MAX_ANSWERS_AT_ONCE, readingPaused: true });
  assert.equal(reading.pauses, 1);
  assert.equal(reading.resumes, 0);

  // The link drains: every reply released as it comes.
  let released = 0;
  while (released < 4_000) {
    await waitFor('the next reply', () => sent.length > released);
    const frame = sent[released]!;
    const release = releases[released++]!;
    assert.ok(sent.length - released < MAX_ANSWERS_AT_ONCE, 'never more than the bound in progress');
    assert.equal(frame.chunkReply!.errorCode, '');
    release();
    if (supplier.load.waiting < MAX_WAITING_REQUESTS / 2) assert.equal(supplier.load.readingPaused, false, 'reading resumed');
  }
  await Promise.all(answers);
  assert.equal(reading.resumes, 1);
  assert.deepEqual(supplier.load, { answering: 0, waiting: 0, readingPaused: false });
  supplier.close();
});

test('closing the supplier fails the waiting requests without reading them', async (t) => {
  const { src } = await setupForTest(t, 'supplier-close');
  const data = randomBytes(4 * CHUNK);
  const entry = await putFile(src, 'big.bin', data);
  const { supplier, sent, releases } = recordingSupplier(src, { blocked: true });
  const answers = requestsFor(data, 100, 'big.bin', entry.digest).map((r) => supplier.answerChunk(r).then(() => 'ok', (err: unknown) => err));
  await waitFor('the first answers to reach the link', () => sent.length === MAX_ANSWERS_AT_ONCE);
  supplier.close();
  for (const release of releases) release();
  const outcomes = await Promise.all(answers);
  assert.equal(outcomes.filter((o) => o === 'ok').length, MAX_ANSWERS_AT_ONCE);
  const failed = outcomes.filter((o) => o !== 'ok');
  assert.equal(failed.length, 100 - MAX_ANSWERS_AT_ONCE);
  assert.ok(failed.every((err) => err instanceof LeftsyncError && err.code === ErrorCode.CONNECTION_CLOSED));
  assert.equal(sent.length, MAX_ANSWERS_AT_ONCE, 'nothing was sent after close');
  assert.deepEqual(supplier.load, { answering: 0, waiting: 0, readingPaused: false });
});
