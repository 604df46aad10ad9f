/**
 * A share that is not there (unmounted, replaced by an empty folder, moved to
 * another device) must never read as "every file was deleted": the node logs
 * LS_SHARE_MISSING once, keeps its links, scans and applies nothing, writes
 * nothing into the empty folder (not even its state folder), and resumes by
 * itself when the share is back. The peers keep every file.
 *
 * The mount tests need root (CI runs as root); run them in a private mount
 * namespace: `unshare -m -n sh -c 'ip link set lo up; node --test ...'`.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, rename, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanupNodes, removeTempDirs, tempDir, type NodeProcess } from '../helpers/node-process.js';
import { bindMount, mountTmpfs, requireRoot, unmount, unmountAll } from '../helpers/mounts.js';
import { MiB, PortRange, newShare, startSyncNode, whenLinked } from '../helpers/sync-node.js';
import { SHARE_MARKER, treeOf, waitForSameTrees } from '../helpers/tree.js';

const ports = new PortRange(25000, 25099);
/** Long enough for two full rescans (every 2 s with QUICK) and several looks at the share. */
const QUIET_MS = 5000;

after(async () => {
  await cleanupNodes();
  unmountAll();
  removeTempDirs();
});

async function fillShare(dir: string): Promise<void> {
  await writeFile(path.join(dir, 'a.txt'), 'alpha\n');
  await mkdir(path.join(dir, 'sub'), { recursive: true });
  await writeFile(path.join(dir, 'sub', 'b.txt'), 'bravo\n'.repeat(1000));
}

/** A (on a plain folder) and B (on shareB) linked, with A's files synced to B. */
async function syncedPair(shareB: string, extraB: string[] = []): Promise<{ dirA: string; a: NodeProcess; b: NodeProcess; portA: number; portB: number }> {
  const dirA = newShare();
  await fillShare(dirA);
  const portA = ports.take();
  const portB = ports.take();
  const a = startSyncNode(dirA, portA, [portB]);
  const b = startSyncNode(shareB, portB, [portA], extraB);
  await Promise.all([whenLinked(a), whenLinked(b)]);
  await waitForSameTrees([dirA, shareB], { expected: await treeOf(dirA), timeoutMs: 30_000 });
  return { dirA, a, b, portA, portB };
}

function missingEvents(node: NodeProcess): number {
  return node.events.filter((e) => e.event === 'share.missing').length;
}

test('first start on an empty new share creates the marker, which is never synced', async () => {
  const dirB = newShare();
  const { dirA, a, b } = await syncedPair(dirB);
  assert.ok((await stat(path.join(dirB, SHARE_MARKER))).isFile(), 'marker created on the empty new share');
  assert.ok((await stat(path.join(dirA, SHARE_MARKER))).isFile(), 'marker created on the share with files');
  for (const node of [a, b]) {
    assert.ok(node.events.some((e) => e.event === 'share.marker_created'));
    assert.deepEqual(node.events.filter((e) => e.path === SHARE_MARKER), [], 'the marker is never announced, pulled or applied');
  }
  await cleanupNodes();
});

test('share folder replaced by an empty one: nothing is deleted anywhere, the node waits and resumes when it is back', async () => {
  const dirB = newShare();
  const { dirA, b } = await syncedPair(dirB);
  const from = b.mark();
  const aside = `${dirB}.aside`;
  await rename(dirB, aside);
  await mkdir(dirB);

  await writeFile(path.join(dirA, 'new.txt'), 'made while B had no share\n');
  const expectedA = await treeOf(dirA);
  await sleep(QUIET_MS);
  assert.deepEqual(await treeOf(dirA), expectedA, 'A keeps every file');
  assert.deepEqual(await readdir(dirB), [], 'nothing written into the empty folder, not even a state folder');
  const missing = await b.waitForEvent('share.missing', {}, 1000, from);
  assert.equal(missing.code, 'LS_SHARE_MISSING');
  assert.equal(missing.problem, 'marker missing');
  assert.equal(missingEvents(b), 1, 'told once');

  await rmdir(dirB);
  await rename(aside, dirB);
  await b.waitForEvent('share.back', {}, 15_000, from);
  await waitForSameTrees([dirA, dirB], { expected: expectedA, timeoutMs: 30_000 });
  await cleanupNodes();
});

test('share unmounted under a running node (state folder inside it): no deletion reaches the peer; remounted, it resumes', async () => {
  requireRoot('this test');
  const root = tempDir('leftsync-mount-');
  const disk = path.join(root, 'disk');
  const dirB = path.join(root, 'share');
  await mkdir(disk);
  await mkdir(dirB);
  mountTmpfs(disk, 16 * MiB);
  bindMount(disk, dirB); // the share is a mount point; the disk can come back with its content
  const { dirA, b } = await syncedPair(dirB);
  const from = b.mark();

  unmount(dirB);
  await writeFile(path.join(dirA, 'new.txt'), 'made while B was unmounted\n');
  const expectedA = await treeOf(dirA);
  await sleep(QUIET_MS);
  assert.deepEqual(await treeOf(dirA), expectedA, 'A keeps every file');
  assert.deepEqual(await readdir(dirB), [], 'the empty mount point got nothing, not even a state folder');
  const missing = await b.waitForEvent('share.missing', {}, 1000, from);
  assert.equal(missing.code, 'LS_SHARE_MISSING');

  // Another, empty file system mounted there (a new disk) is not the share either.
  mountTmpfs(dirB, 4 * MiB);
  await sleep(QUIET_MS / 2);
  assert.deepEqual(await readdir(dirB), [], 'nothing written into the other file system');
  assert.deepEqual(await treeOf(dirA), expectedA);
  unmount(dirB);
  assert.equal(missingEvents(b), 1, 'told once');

  bindMount(disk, dirB);
  await b.waitForEvent('share.back', {}, 15_000, from);
  await waitForSameTrees([dirA, dirB], { expected: expectedA, timeoutMs: 30_000 });
  await cleanupNodes();
});

test('state folder outside the share: a share root on another device, or gone, is refused at start; back, it syncs', async () => {
  requireRoot('this test');
  const root = tempDir('leftsync-device-');
  const dirB = path.join(root, 'share');
  const stateB = path.join(root, 'state');
  await mkdir(dirB);
  const { dirA, b } = await syncedPair(dirB, ['--state-dir', stateB]);
  await b.kill();
  const expectedA = await treeOf(dirA);

  // Another file system over the share, with a copy of the marker: the device tells.
  mountTmpfs(dirB, 4 * MiB);
  await writeFile(path.join(dirB, SHARE_MARKER), 'copied marker\n');
  b.spawn();
  await whenLinked(b);
  await sleep(QUIET_MS);
  assert.deepEqual(await treeOf(dirA), expectedA, 'A keeps every file');
  assert.deepEqual(await readdir(dirB), [SHARE_MARKER], 'nothing applied into the other file system');
  const moved = await b.waitForEvent('share.missing', {}, 1000);
  assert.equal(moved.problem, 'device changed');
  await b.kill();
  unmount(dirB);

  // The share folder gone altogether: not created again, refused.
  await rename(dirB, `${dirB}.aside`);
  b.spawn();
  const gone = await b.waitForEvent('share.missing', {}, 15_000);
  assert.equal(gone.problem, 'folder missing');
  await sleep(QUIET_MS / 2);
  await assert.rejects(stat(dirB), 'the share folder is not created again');
  assert.deepEqual(await treeOf(dirA), expectedA);
  await rename(`${dirB}.aside`, dirB);
  await b.waitForEvent('share.back', {}, 15_000);
  await writeFile(path.join(dirA, 'after.txt'), 'after the share came back\n');
  await waitForSameTrees([dirA, dirB], { expected: await treeOf(dirA), timeoutMs: 30_000 });
  await cleanupNodes();
});
