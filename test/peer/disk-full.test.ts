/**
 * The parts of "a full disk loses nothing": held index frames (stored later, in
 * order, bounded), and downloads that wait for room and leave no partial
 * behind, with the user told once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import type { IndexEntry } from '../../src/model/entries.js';
import { HeldIndexFrames, type ReceivedIndexFrame } from '../../src/peer/held-index.js';
import { DiskFull } from '../../src/transfer/disk-full.js';
import { tempDirOf } from '../../src/transfer/chunk-io.js';
import { LogCapture } from '../helpers/log-capture.js';
import { MemoryIndex } from './memory-index.js';
import { makeTempDir, waitFor } from './harness.js';

const full = (): LeftsyncError => new LeftsyncError(ErrorCode.DISK_FULL, 'index storeRemoteEntries: database or disk is full');

function entry(relPath: string, sequence: number): IndexEntry {
  return {
    path: relPath, type: 'file', size: 1, mtimeMs: 0, mode: 0o644, digest: Buffer.alloc(32), symlinkTarget: '',
    inode: 0, deleted: false, sequence, version: { x: sequence }, modifiedBy: 'x',
  };
}

test('held index frames are stored in arrival order; too many held drop the link instead of growing', async () => {
  const index = new MemoryIndex('me');
  const disk = new DiskFull({ index, stateDir: '/nonexistent' });
  const log = createLogger('held-test');
  let failing = 2;
  const stored: string[] = [];
  let overflowed = 0;
  const held = new HeldIndexFrames({
    store: (frame: ReceivedIndexFrame) => {
      if (failing > 0) {
        failing--;
        throw full();
      }
      stored.push(...frame.entries.map((e) => e.path));
    },
    disk,
    what: 'index entries from test',
    overflow: () => overflowed++,
    log,
    maxEntries: 5,
  });
  held.receive({ indexId: 'i', entries: [entry('a', 1)], last: false });
  held.receive({ indexId: 'i', entries: [entry('b', 2), entry('c', 3)], last: false });
  assert.equal(held.size, 2, 'the frame behind a held one waits behind it');
  await waitFor('stored', () => stored.length === 3);
  assert.deepEqual(stored, ['a', 'b', 'c']);
  assert.equal(disk.isFull, false);

  failing = Infinity;
  for (let i = 0; i < 6; i++) held.receive({ indexId: 'i', entries: [entry(`x${i}`, 10 + i)], last: false });
  assert.equal(overflowed, 1);
  assert.equal(held.size, 0, 'dropped: the reconnect asks again from the stored progress');
  held.close();
});

test('a download that cannot fit is not started; one that runs out of space leaves no partial; the user is told once', async () => {
  const root = await makeTempDir('disk-room');
  const index = new MemoryIndex('me');
  const logs = new LogCapture();
  try {
    let free = 10 * 1024 * 1024;
    const disk = new DiskFull({ index, stateDir: root, freeBytes: async () => free });
    const big = { ...entry('big.bin', 1), size: 50 * 1024 * 1024, digest: Buffer.alloc(32, 1) };
    const small = { ...entry('small.txt', 2), size: 10, digest: Buffer.alloc(32, 2) };
    let started = 0;
    for (let i = 0; i < 3; i++) {
      await assert.rejects(
        disk.pull(big, async () => started++),
        (err: unknown) => err instanceof LeftsyncError && err.code === ErrorCode.DISK_FULL,
      );
    }
    assert.equal(started, 0, 'no bytes fetched for a file that cannot fit');

    // A pull that hits ENOSPC anyway: its partial goes, so the disk is not kept full.
    await mkdir(tempDirOf(root), { recursive: true });
    const partial = index.startPartial(small.path, small.digest, small.size);
    const tempPath = path.join(tempDirOf(root), partial.tempName);
    await writeFile(tempPath, 'x'.repeat(10));
    await assert.rejects(disk.pull(small, async () => { throw full(); }));
    assert.deepEqual(await readdir(tempDirOf(root)), [], 'partial removed');
    assert.equal(index.partial(small.path, small.digest), undefined);

    assert.equal(await disk.pull(small, async () => 'placed'), 'placed');
    free = 100 * 1024 * 1024;
    assert.equal(await disk.pull(big, async () => 'placed'), 'placed');
    await logs.waitFor((e) => e.event === 'disk.space_back');
    const diskEvents = logs.events.filter((e) => e.module === 'disk');
    assert.equal(diskEvents.filter((e) => e.event === 'disk.full').length, 1, 'told once');
    assert.equal(diskEvents.filter((e) => e.event === 'disk.full')[0]!.code, 'LS_DISK_FULL');
    assert.equal(diskEvents.filter((e) => e.event === 'disk.space_back').length, 1, 'and once when all is written');
  } finally {
    logs.restore();
    await rm(root, { recursive: true, force: true });
  }
});
