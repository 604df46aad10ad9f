/** The sender's half of streaming sync: what each link is sent, and when a file streams at all. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/log.js';
import type { StoredChunk } from '../../src/model/entries.js';
import { MAX_STREAMS, StreamPublisher } from '../../src/peer/stream-publish.js';
import type { Frame } from '../../src/protocol/messages.js';

const log = createLogger('test-stream-publish');
const chunksFrom = (from: number, count: number): StoredChunk[] =>
  Array.from({ length: count }, (_, i) => ({ offset: (from + i) * 100, length: 100, hash: Buffer.alloc(32, from + i) }));
const offsetsOf = (frames: Frame[]) => frames.flatMap((f) => f.growingFile!.chunks.map((c) => c.offset));

test('small files and more than MAX_STREAMS at once do not stream; a finished path can stream again', () => {
  const publisher = new StreamPublisher({ minBytes: 1000, log });
  assert.equal(publisher.begin('small', 999), undefined);
  const streams = Array.from({ length: MAX_STREAMS }, (_, i) => publisher.begin(`f${i}`, 1000));
  assert.ok(streams.every((s) => s !== undefined));
  assert.equal(publisher.begin('one-more', 1000), undefined);
  assert.equal(publisher.begin('f0', 1000), undefined, 'a path streams once at a time');
  streams[0]!.end(true);
  assert.equal(publisher.isStreaming('f0'), false);
  assert.ok(publisher.begin('f0', 1000));
  for (const s of streams.slice(1)) s!.end(false);
});

test('every link gets the whole list in order, a late link the part sent so far first; the end is marked on the last frame', () => {
  const publisher = new StreamPublisher({ minBytes: 1, log });
  const early: Frame[] = [];
  const late: Frame[] = [];
  publisher.attach((f) => early.push(f));
  const stream = publisher.begin('big', 1_000_000)!;
  // 300 chunks at once: more than a batch (256), so they go at once; the next 5 wait for the timer or the end.
  void stream.onChunks(chunksFrom(0, 300));
  assert.deepEqual(offsetsOf(early), chunksFrom(0, 300).map((c) => c.offset));
  publisher.attach((f) => late.push(f));
  assert.deepEqual(offsetsOf(late), offsetsOf(early), 'the late link caught up on what was sent');
  void stream.onChunks(chunksFrom(300, 5));
  stream.end(true);
  for (const frames of [early, late]) {
    assert.deepEqual(offsetsOf(frames), chunksFrom(0, 305).map((c) => c.offset));
    assert.equal(frames.at(-1)!.growingFile!.done, true);
    assert.ok(frames.slice(0, -1).every((f) => !f.growingFile!.done && !f.growingFile!.abandoned));
  }
});

test('an abandoned stream tells every link, even with nothing sent yet', () => {
  const publisher = new StreamPublisher({ minBytes: 1, log });
  const frames: Frame[] = [];
  publisher.attach((f) => frames.push(f));
  publisher.begin('big', 1000)!.end(false);
  assert.equal(frames.length, 1);
  assert.equal(frames[0]!.growingFile!.abandoned, true);
  assert.equal(frames[0]!.growingFile!.chunks.length, 0);
});
