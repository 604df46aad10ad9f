import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_FILES_TRACKED, StatsCounter } from '../../src/transfer/stats.js';

test('byte counters add up in total and per file', () => {
  const stats = new StatsCounter();
  stats.addReceived('a', 10, 100);
  stats.addReceived('a', 5, 50);
  stats.addSent('b', 7, 7);
  stats.addReused(3);
  stats.fileDone();
  const snap = stats.snapshot();
  assert.deepEqual(snap.received, { wireBytes: 15, rawBytes: 150, chunks: 2 });
  assert.deepEqual(snap.sent, { wireBytes: 7, rawBytes: 7, chunks: 1 });
  assert.deepEqual(snap.files['a']?.received, { wireBytes: 15, rawBytes: 150, chunks: 2 });
  assert.deepEqual(snap.files['b']?.sent, { wireBytes: 7, rawBytes: 7, chunks: 1 });
  assert.equal(snap.chunksReused, 3);
  assert.equal(snap.filesReceived, 1);
  snap.received.wireBytes = 0;
  assert.equal(stats.snapshot().received.wireBytes, 15, 'snapshot is a copy');
  const totals = stats.totals();
  assert.deepEqual(totals, { sent: snap.sent, received: { wireBytes: 15, rawBytes: 150, chunks: 2 }, chunksReused: 3, filesReceived: 1 });
  totals.sent.wireBytes = 0;
  assert.equal(stats.totals().sent.wireBytes, 7, 'totals are a copy');
});

test('per-file counters keep the most recently counted files only', () => {
  const stats = new StatsCounter();
  for (let i = 0; i < MAX_FILES_TRACKED + 10; i++) stats.addSent(`f${i}`, 1, 1);
  stats.addSent('f0', 1, 1); // evicted earlier, counted again
  const snap = stats.snapshot();
  assert.equal(Object.keys(snap.files).length, MAX_FILES_TRACKED);
  assert.equal(snap.files['f5'], undefined);
  assert.deepEqual(snap.files['f0']?.sent, { wireBytes: 1, rawBytes: 1, chunks: 1 });
  assert.equal(snap.sent.chunks, MAX_FILES_TRACKED + 11, 'totals are never forgotten');
});
