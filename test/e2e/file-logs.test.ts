/**
 * One info line per file on both sides: the receiver's transfer.done and the
 * sender's transfer.sent (path, size, bytes on the wire, time, what the delta
 * saved), plus the local changes, new folders and deletions on each side.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { cleanupNodes, removeTempDirs } from '../helpers/node-process.js';
import { MiB, PortRange, newSharePair, overwriteAt, startLinkedPair, writeRandomFile } from '../helpers/sync-node.js';

const ports = new PortRange(25300, 25349);

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

test('every file synced, folder made and deletion gets one line on each side', async () => {
  const pair = newSharePair(ports);
  const { a, b } = await startLinkedPair(pair);
  const size = 4 * MiB;
  const file = path.join(pair.dirA, 'data.bin');

  let fromA = a.mark();
  let fromB = b.mark();
  await writeRandomFile(file, size);
  const changed = await a.waitForEvent('local.changed', { path: 'data.bin' }, 30_000, fromA);
  assert.equal(changed.size, size);
  const done = await b.waitForEvent('transfer.done', { path: 'data.bin' }, 60_000, fromB);
  const sent = await a.waitForEvent('transfer.sent', { path: 'data.bin' }, 30_000, fromA);
  for (const event of [done, sent]) {
    assert.equal(event.size, size);
    assert.equal(typeof event.ms, 'number');
    assert.equal(typeof event.bytesSaved, 'number');
  }
  assert.ok(Number(sent.bytesSent) >= size, 'random data crosses whole');
  assert.equal(sent.bytesSent, done.bytesReceived, 'both sides count the same bytes');

  // An edit in the middle: the delta saves most of the file, and both sides say so.
  fromA = a.mark();
  fromB = b.mark();
  await overwriteAt(file, 2 * MiB, randomBytes(100));
  const editDone = await b.waitForEvent('transfer.done', { path: 'data.bin' }, 60_000, fromB);
  const editSent = await a.waitForEvent('transfer.sent', { path: 'data.bin' }, 30_000, fromA);
  assert.ok(Number(editDone.bytesSaved) > size / 2, `saved ${String(editDone.bytesSaved)}`);
  assert.ok(Number(editSent.bytesSaved) > size / 2, `saved ${String(editSent.bytesSaved)}`);

  fromA = a.mark();
  fromB = b.mark();
  await mkdir(path.join(pair.dirA, 'photos'));
  await a.waitForEvent('local.dir', { path: 'photos' }, 30_000, fromA);
  await b.waitForEvent('sync.dir_created', { path: 'photos' }, 30_000, fromB);

  fromA = a.mark();
  fromB = b.mark();
  await rm(file);
  await a.waitForEvent('local.deleted', { path: 'data.bin' }, 30_000, fromA);
  const deleted = await b.waitForEvent('sync.deleted', { path: 'data.bin' }, 30_000, fromB);
  assert.equal(deleted.type, 'file');
});
