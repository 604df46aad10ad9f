/**
 * The share marker and its guard: what a first start creates, what a later
 * start refuses to create, and what counts as "the share is not there".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ShareGuard, prepareShare } from '../../src/fs/share-guard.js';
import { DEVICE_FILE, MARKER_NAME, readRecordedDevice } from '../../src/fs/share-marker.js';

async function scratch(): Promise<{ root: string; share: string; state: string; done: () => Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'leftsync-guard-'));
  return { root, share: path.join(root, 'share'), state: path.join(root, 'share', '.leftsync'), done: () => rm(root, { recursive: true, force: true }) };
}

test('a first start creates the share, its marker, the state folder and the device record', async () => {
  const { share, state, done } = await scratch();
  try {
    const device = await prepareShare(share, state);
    assert.equal(device, (await stat(share)).dev);
    assert.ok((await stat(path.join(share, MARKER_NAME))).isFile());
    assert.equal(await readRecordedDevice(state), device);
    const guard = new ShareGuard({ shareDir: share, stateDir: state, device });
    assert.equal(await guard.inspect(), true);
  } finally {
    await done();
  }
});

test('state kept outside a share that is now empty and unmarked: nothing is created, the guard refuses until the marker is back', async () => {
  const { root, share, done } = await scratch();
  const state = path.join(root, 'state');
  try {
    const device = await prepareShare(share, state);
    await writeFile(path.join(share, 'precious'), 'data');
    await rename(share, `${share}.away`);
    await mkdir(share); // an empty folder where the share was
    assert.equal(await prepareShare(share, state), device, 'the recorded device, nothing created');
    assert.deepEqual(await readdir(share), []);
    const guard = new ShareGuard({ shareDir: share, stateDir: state, device });
    await assert.rejects(guard.check(), (err: unknown) => (err as { code?: string }).code === 'LS_SHARE_MISSING');
    let back = 0;
    guard.onBack(() => back++);
    await rm(share, { recursive: true });
    await rename(`${share}.away`, share);
    assert.equal(await guard.inspect(), true);
    assert.equal(back, 1);
  } finally {
    await done();
  }
});

test('a state folder from before markers: a share with files is marked, an empty one is not', async () => {
  const { root, done } = await scratch();
  try {
    const withFiles = path.join(root, 'with-files');
    const empty = path.join(root, 'empty');
    for (const share of [withFiles, empty]) {
      await mkdir(path.join(share, '.leftsync'), { recursive: true });
      await writeFile(path.join(share, '.leftsync', 'index.db'), 'an old index');
    }
    await writeFile(path.join(withFiles, 'a.txt'), 'a');
    assert.notEqual(await prepareShare(withFiles, path.join(withFiles, '.leftsync')), null);
    assert.ok((await stat(path.join(withFiles, MARKER_NAME))).isFile());
    assert.equal(await prepareShare(empty, path.join(empty, '.leftsync')), null, 'an empty share with old state may be an unmounted one');
    assert.deepEqual(await readdir(empty), ['.leftsync']);
    await assert.rejects(stat(path.join(empty, '.leftsync', DEVICE_FILE)));
  } finally {
    await done();
  }
});

test('a share that comes back as a new folder with a marker but without the open state folder stays refused', async () => {
  const { share, state, done } = await scratch();
  try {
    const device = await prepareShare(share, state);
    const guard = new ShareGuard({ shareDir: share, stateDir: state, device });
    await guard.start();
    guard.stop();
    assert.equal(guard.present, true);
    await rename(share, `${share}.old`);
    await mkdir(path.join(share, '.leftsync'), { recursive: true });
    await writeFile(path.join(share, MARKER_NAME), 'made by hand\n');
    assert.equal(await guard.inspect(), false, 'the open index belongs to the old folder');
    await rm(share, { recursive: true });
    await rename(`${share}.old`, share);
    assert.equal(await guard.inspect(), true);
  } finally {
    await done();
  }
});
