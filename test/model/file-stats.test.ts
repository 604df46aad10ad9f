import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdtemp, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { matchesStats, observedMtimeMs } from '../../src/model/file-stats.js';

test('matchesStats: a file is as last seen only with the same size, mtime (whole ms) and inode', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'leftsync-file-stats-'));
  try {
    const file = path.join(dir, 'f');
    await writeFile(file, 'abc');
    const stats = await stat(file);
    const seen = { size: stats.size, mtimeMs: observedMtimeMs(stats), inode: stats.ino };
    assert.equal(matchesStats(seen, stats), true);
    assert.equal(matchesStats({ ...seen, size: seen.size + 1 }, stats), false);
    assert.equal(matchesStats({ ...seen, mtimeMs: seen.mtimeMs + 1 }, stats), false);
    assert.equal(matchesStats({ ...seen, inode: seen.inode + 1 }, stats), false);

    await utimes(file, new Date(1_600_000_000_000), new Date(1_600_000_000_123.4));
    const touched = await stat(file);
    assert.equal(observedMtimeMs(touched), 1_600_000_000_123);
    assert.equal(matchesStats(seen, touched), false, 'a new mtime is a change');

    await symlink('f', path.join(dir, 'link'));
    const link = await lstat(path.join(dir, 'link'));
    assert.equal(matchesStats({ size: link.size, mtimeMs: observedMtimeMs(link), inode: link.ino }, link), false, 'only regular files match');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
