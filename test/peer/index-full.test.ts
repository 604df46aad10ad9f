/**
 * A full disk on the receiving side loses no index entry: what cannot be stored
 * waits and is stored later, in order, and the stored progress (what the next
 * IndexRequest asks from) never passes an entry that was not stored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';
import { link, peersFor, waitFor } from './harness.js';

const full = (): LeftsyncError => new LeftsyncError(ErrorCode.DISK_FULL, 'index storeRemoteEntries: database or disk is full');

test('an index update that arrives while the disk is full is stored once there is space, not dropped for the life of the link', async (t) => {
  const { peers: [a, b] } = await peersFor(t, 'disk-full', ['peer-a', 'peer-b']);
  await writeFile(path.join(a.shareDir, 'first.txt'), 'before the disk filled\n');
  await a.scan();
  link(a, b);
  await waitFor('first file on B', async () => (await readdir(b.shareDir)).includes('first.txt'));

  // B's disk fills: its index cannot store anything.
  let diskFull = true;
  let refused = 0;
  const store = b.index.storeRemoteEntries.bind(b.index);
  b.index.storeRemoteEntries = (...args) => {
    if (diskFull) {
      refused++;
      throw full();
    }
    store(...args);
  };
  const progressBefore = b.index.remoteProgress(a.id).sequence;
  await writeFile(path.join(a.shareDir, 'small.txt'), 'made while B was full\n');
  await a.scan();
  await waitFor('B refused to store the update', () => refused >= 1);
  await mkdir(path.join(a.shareDir, 'later'));
  await writeFile(path.join(a.shareDir, 'later', 'second.txt'), 'also made while B was full\n');
  await a.scan();
  await waitFor('B refused again', () => refused >= 2);
  assert.equal(b.index.remoteProgress(a.id).sequence, progressBefore, 'nothing acknowledged that was not stored');

  diskFull = false;
  await waitFor('both files on B', async () => {
    const small = await readFile(path.join(b.shareDir, 'small.txt'), 'utf8').catch(() => null);
    const second = await readFile(path.join(b.shareDir, 'later', 'second.txt'), 'utf8').catch(() => null);
    return small !== null && second !== null;
  });
  assert.equal(b.index.remoteProgress(a.id).sequence, a.index.since(0).at(-1)!.sequence);
});

