import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';
import { moveFiles } from '../../src/fs/move.js';
import type { SeenFile } from '../../src/model/file-stats.js';

async function seen(file: string): Promise<SeenFile> {
  const s = await lstat(file);
  return { size: s.size, mtimeMs: Math.round(s.mtimeMs), inode: s.ino };
}

test('moveFiles moves a file as it was seen into a new folder, keeping its inode; never over a file that appeared; never one changed since', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'leftsync-move-'));
  try {
    await mkdir(path.join(root, 'old'));
    for (const name of ['a', 'b', 'c']) await writeFile(path.join(root, 'old', name), `content ${name}`);
    const expectA = await seen(path.join(root, 'old/a'));
    const expectB = await seen(path.join(root, 'old/b'));
    const expectC = await seen(path.join(root, 'old/c'));
    await mkdir(path.join(root, 'new'));
    await writeFile(path.join(root, 'new/b'), 'a local file already here');
    await writeFile(path.join(root, 'old/c'), 'edited since it was seen, longer');
    const results = await moveFiles(root, [
      { from: 'old/a', to: 'new/sub/a', expect: expectA },
      { from: 'old/b', to: 'new/b', expect: expectB },
      { from: 'old/c', to: 'new/c', expect: expectC },
    ]);
    assert.ok(!(results[0] instanceof LeftsyncError));
    assert.equal((results[0] as { ino: number }).ino, expectA.inode);
    assert.equal(await readFile(path.join(root, 'new/sub/a'), 'utf8'), 'content a');
    await assert.rejects(lstat(path.join(root, 'old/a')), { code: 'ENOENT' });
    for (const k of [1, 2]) assert.equal((results[k] as LeftsyncError).code, ErrorCode.LOCAL_CHANGED);
    assert.equal(await readFile(path.join(root, 'new/b'), 'utf8'), 'a local file already here', 'not overwritten');
    assert.equal(await readFile(path.join(root, 'old/b'), 'utf8'), 'content b', 'the source stays');
    assert.equal(await readFile(path.join(root, 'old/c'), 'utf8'), 'edited since it was seen, longer', 'an edited source stays');
    await assert.rejects(lstat(path.join(root, 'new/c')), { code: 'ENOENT' });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('moveFiles refuses a target under a symlinked folder and paths leaving the share', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'leftsync-move-'));
  const outside = await mkdtemp(path.join(os.tmpdir(), 'leftsync-outside-'));
  try {
    await writeFile(path.join(root, 'f'), 'x');
    await symlink(outside, path.join(root, 'out'));
    const expect = await seen(path.join(root, 'f'));
    const results = await moveFiles(root, [
      { from: 'f', to: 'out/f', expect },
      { from: 'f', to: '../escaped', expect },
    ]);
    for (const r of results) assert.ok(r instanceof LeftsyncError && r.code === ErrorCode.UNSAFE_PATH, String(r));
    assert.equal(await readFile(path.join(root, 'f'), 'utf8'), 'x');
  } finally {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  }
});
