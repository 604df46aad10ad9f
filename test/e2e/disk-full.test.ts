/**
 * A full disk on the receiver recovers by itself. The receiver's share lives on
 * a small tmpfs (mounted at a parent, so a filler file beside the share, on the
 * same file system, can take the space without being a change in the share).
 * While the disk is full the sender offers a file larger than the disk can hold
 * and a small one: the receiver says so once (LS_DISK_FULL), loses no index
 * update, keeps retrying past the old give-up point, takes the small file as
 * soon as there is room for it and the large one when there is room for that.
 *
 * Needs root to mount the tmpfs (CI runs as root); run it in a private mount
 * namespace: `unshare -m -n sh -c 'ip link set lo up; node --test ...'`.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, open, readdir, rename, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanupNodes, removeTempDirs, tempDir } from '../helpers/node-process.js';
import { mountTmpfs, requireRoot, unmountAll } from '../helpers/mounts.js';
import { MiB, PortRange, newShare, partialBytesWritten, startSyncNode, whenLinked, writeRandomFile } from '../helpers/sync-node.js';
import { sha256File, waitUntil } from '../helpers/tree.js';

const ports = new PortRange(25100, 25199);

after(async () => {
  await cleanupNodes();
  unmountAll();
  removeTempDirs();
});

/** Writes into `file` until the file system has no space left; returns its size. */
async function fillUp(file: string): Promise<number> {
  const handle = await open(file, 'w');
  const block = Buffer.alloc(64 * 1024, 7);
  let size = 0;
  try {
    for (;;) {
      const { bytesWritten } = await handle.write(block);
      size += bytesWritten;
      if (bytesWritten < block.length) break;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    await handle.close();
  }
  return size;
}

/** A receiver whose share is on a fresh 12 MiB tmpfs, linked to a sender on a plain folder, both started. */
async function pairOnSmallDisk() {
  const vol = path.join(tempDir('leftsync-full-'), 'vol');
  await mkdir(vol);
  mountTmpfs(vol, 12 * MiB);
  const dirB = path.join(vol, 'share');
  await mkdir(dirB);
  await mkdir(path.join(vol, 'filler'));
  const filler = path.join(vol, 'filler', 'fill');
  const dirA = newShare();
  const portA = ports.take();
  const portB = ports.take();
  await writeFile(path.join(dirA, 'before.txt'), 'synced before the disk filled\n');
  const a = startSyncNode(dirA, portA, [portB]);
  const b = startSyncNode(dirB, portB, [portA]);
  await Promise.all([whenLinked(a), whenLinked(b)]);
  await waitUntil('the first file on B', async () => (await readdir(dirB)).includes('before.txt'));
  return { dirA, dirB, filler, a, b };
}

test('disk full on the receiver: told once, no index update lost, retried without end, all arrives when space returns', async () => {
  requireRoot('this test');
  const { dirA, dirB, filler, b } = await pairOnSmallDisk();

  const fillerSize = await fillUp(filler);
  const from = b.mark();
  await writeRandomFile(path.join(dirA, 'big.bin'), 8 * MiB); // more than the whole disk holds beside B's state
  await writeFile(path.join(dirA, 'small.txt'), 'made while B was full\n');
  // Longer than the old give-up (5 retries, ~16 s): still waiting, not given up.
  await sleep(20_000);
  assert.equal((await readdir(dirB)).includes('big.bin'), false);

  // Room for the small file, not for the big one: the small one comes first.
  await truncate(filler, Math.max(0, fillerSize - 3 * MiB));
  await waitUntil('the small file on B', async () => (await readdir(dirB)).includes('small.txt'), 30_000);
  assert.equal((await readdir(dirB)).includes('big.bin'), false, 'the big file still waits for room');

  await unlink(filler);
  await waitUntil('the big file on B', async () => (await readdir(dirB)).includes('big.bin'), 60_000);
  assert.equal(await sha256File(path.join(dirB, 'big.bin')), await sha256File(path.join(dirA, 'big.bin')));
  assert.equal((await stat(path.join(dirB, 'small.txt'))).size, (await stat(path.join(dirA, 'small.txt'))).size);

  const since = b.events.slice(from);
  const full = since.filter((e) => e.event === 'disk.full');
  assert.equal(full.length, 1, `told once, not a flood: ${full.length} disk.full lines`);
  assert.equal(full[0]!.code, 'LS_DISK_FULL');
  await b.waitForEvent('disk.space_back', {}, 10_000, from);
  assert.deepEqual(since.filter((e) => e.event === 'sync.gave_up'), [], 'never given up');
  assert.ok(since.filter((e) => e.level === 'warn' || e.level === 'error').length <= 3, 'no stream of warnings while full');
  await cleanupNodes();
});

test('two downloads that fit alone but not together: the one that runs out of space leaves no partial filling the disk', async (t) => {
  requireRoot('this test');
  const { dirA, dirB, filler, b } = await pairOnSmallDisk();
  const fillerSize = await fillUp(filler);
  await truncate(filler, Math.max(0, fillerSize - 7 * MiB)); // 7 MiB free: room for one 4 MiB file, not two
  const from = b.mark();
  // Both appear at once, so both downloads start together and each finds room for itself.
  const staging = path.join(path.dirname(dirA), 'staging');
  await mkdir(staging);
  await writeRandomFile(path.join(staging, 'one.bin'), 4 * MiB);
  await writeRandomFile(path.join(staging, 'two.bin'), 4 * MiB);
  await rename(path.join(staging, 'one.bin'), path.join(dirA, 'one.bin'));
  await rename(path.join(staging, 'two.bin'), path.join(dirA, 'two.bin'));
  const arrived = async (): Promise<string[]> => (await readdir(dirB)).filter((n) => n.endsWith('.bin'));
  await waitUntil('one of the files on B', async () => (await arrived()).length >= 1, 30_000);

  // The other waits for room without holding any of it.
  await waitUntil('no partial download left on the full disk', async () => (await partialBytesWritten(dirB)) === 0, 20_000);
  await sleep(3000);
  assert.equal((await arrived()).length, 1, 'the second file waits for room');
  assert.equal(await partialBytesWritten(dirB), 0, 'and keeps no partial on the disk meanwhile');

  await unlink(filler);
  await waitUntil('both files on B', async () => (await arrived()).length === 2, 60_000);
  for (const name of ['one.bin', 'two.bin']) {
    assert.equal(await sha256File(path.join(dirB, name)), await sha256File(path.join(dirA, name)), name);
  }
  const full = b.events.slice(from).filter((e) => e.event === 'disk.full');
  // Which way the second one waited depends on timing: out of space mid-download, or no room to start.
  t.diagnostic(`partials removed after running out of space: ${b.events.slice(from).filter((e) => e.event === 'disk.partial_removed').length}; ` +
    `first told: ${String(full[0]?.what)}: ${JSON.stringify(full[0]?.err)}`);
  assert.equal(full.length, 1, `told once: ${full.length} disk.full lines`);
  await cleanupNodes();
});
