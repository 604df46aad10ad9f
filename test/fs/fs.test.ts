import assert from 'node:assert/strict';
import { mkdtemp, mkdir, open, readFile, readdir, readlink, rm, stat, symlink, writeFile, lstat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';
import { atomicReplace, createSymlink, diskSteps, makeDir, removeEntry, renameToConflict, setAttributes, writeFileAtomic } from '../../src/fs/write.js';
import { UNLINK_LATER_BYTES } from '../../src/fs/displaced.js';
import { lstatOrNull, resolveSharePath, toRelativePath } from '../../src/fs/paths.js';
import { observedMtimeMs } from '../../src/model/file-stats.js';

function hasCode(code: string) {
  return (err: unknown) => err instanceof LeftsyncError && err.code === code;
}

describe('fs', () => {
  let base: string;
  let root: string;
  let tmp: string;
  let outside: string;

  before(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'leftsync-fs-'));
    root = path.join(base, 'share');
    tmp = path.join(root, '.leftsync', 'tmp');
    outside = path.join(base, 'outside');
    await mkdir(tmp, { recursive: true });
    await mkdir(outside);
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  async function tempFile(content: string): Promise<string> {
    const file = path.join(tmp, `t-${Math.random().toString(16).slice(2)}`);
    await writeFile(file, content);
    return file;
  }

  describe('lstatOrNull', () => {
    it('gives the lstat of what is there, null for a missing name, without following a link', async () => {
      const file = path.join(base, 'lstat-file');
      await writeFile(file, 'abc');
      await symlink('lstat-file', path.join(base, 'lstat-link'));
      assert.equal(lstatOrNull(file)?.size, 3);
      assert.equal(lstatOrNull(path.join(base, 'lstat-link'))?.isSymbolicLink(), true);
      assert.equal(lstatOrNull(path.join(base, 'lstat-missing')), null);
    });

    it('throws what is not a miss: a name under a file, a name the system refuses', async () => {
      const file = path.join(base, 'lstat-parent');
      await writeFile(file, 'abc');
      assert.throws(() => lstatOrNull(path.join(file, 'below')), (err: NodeJS.ErrnoException) => err.code === 'ENOTDIR');
      assert.throws(() => lstatOrNull('bad\0name'), (err: NodeJS.ErrnoException) => err.code === 'ERR_INVALID_ARG_VALUE');
    });
  });

  describe('resolveSharePath', () => {
    const unsafePaths = ['', '..', '../x', 'a/../../x', 'a/..', '/etc/passwd', 'a//b', 'a/', './a', 'a/./b', 'a\0b', 'a\\..\\b', 'C:/x'];
    for (const bad of unsafePaths) {
      it(`rejects ${JSON.stringify(bad)} with UNSAFE_PATH`, async () => {
        await assert.rejects(resolveSharePath(root, bad), hasCode(ErrorCode.UNSAFE_PATH));
      });
    }

    it('resolves a normal nested path, existing or not', async () => {
      assert.equal(await resolveSharePath(root, 'a/b/c.txt'), path.join(root, 'a', 'b', 'c.txt'));
      assert.equal(await resolveSharePath(`${root}/`, 'a/b/c.txt'), path.join(root, 'a', 'b', 'c.txt'), 'a root given with a trailing separator');
      assert.equal(await resolveSharePath('/', 'a-leftsync-test-none/x'), '/a-leftsync-test-none/x', 'the filesystem root');
      assert.equal(await resolveSharePath(root, 'üñí/..x'), path.join(root, 'üñí', '..x'));
    });

    it('rejects a path whose parent is a symlink, even one pointing inside', async () => {
      await symlink(outside, path.join(root, 'out'));
      await mkdir(path.join(root, 'realdir'));
      await symlink('realdir', path.join(root, 'inlink'));
      await assert.rejects(resolveSharePath(root, 'out/x'), hasCode(ErrorCode.UNSAFE_PATH));
      await assert.rejects(resolveSharePath(root, 'out/deeper/x'), hasCode(ErrorCode.UNSAFE_PATH));
      await assert.rejects(resolveSharePath(root, 'inlink/x'), hasCode(ErrorCode.UNSAFE_PATH));
      // The link itself as the last component is fine: callers never follow it.
      assert.equal(await resolveSharePath(root, 'out'), path.join(root, 'out'));
    });

    it('checks each parent once for a set of checked parents, and still refuses a link not checked yet', async () => {
      await mkdir(path.join(root, 'd', 'e'), { recursive: true });
      const checked = new Set<string>();
      assert.equal(await resolveSharePath(root, 'd/e/f1', checked), path.join(root, 'd', 'e', 'f1'));
      assert.deepEqual([...checked], [path.join(root, 'd'), path.join(root, 'd', 'e')]);
      assert.equal(await resolveSharePath(root, 'd/e/f2', checked), path.join(root, 'd', 'e', 'f2'));
      assert.equal(checked.size, 2);
      await symlink(outside, path.join(root, 'd', 'link'));
      await assert.rejects(resolveSharePath(root, 'd/link/x', checked), hasCode(ErrorCode.UNSAFE_PATH));
      assert.equal(checked.has(path.join(root, 'd', 'link')), false);
    });

    it('toRelativePath gives "/" paths inside root and null outside', () => {
      assert.equal(toRelativePath(root, path.join(root, 'a', 'b')), 'a/b');
      assert.equal(toRelativePath(root, path.join(root, '..foo')), '..foo');
      assert.equal(toRelativePath(root, root), null);
      assert.equal(toRelativePath(root, outside), null);
    });
  });

  describe('atomicReplace', () => {
    it('places the temp file, creates parents, sets mode and mtime, removes the temp', async () => {
      const temp = await tempFile('new content');
      const mtimeMs = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
      const stats = await atomicReplace(root, 'dir/sub/file.txt', temp, { mode: 0o640, mtimeMs });
      assert.equal(await readFile(path.join(root, 'dir/sub/file.txt'), 'utf8'), 'new content');
      assert.equal(stats.mode & 0o777, 0o640);
      assert.equal(observedMtimeMs(stats), mtimeMs);
      await assert.rejects(stat(temp), { code: 'ENOENT' });
    });

    it('never writes through a symlinked parent, and leaves the temp file gone', async () => {
      const temp = await tempFile('evil');
      await assert.rejects(atomicReplace(root, 'out/pwned', temp), hasCode(ErrorCode.UNSAFE_PATH));
      assert.deepEqual(await readdir(outside), []);
      await assert.rejects(stat(temp), { code: 'ENOENT' });
    });

    it('replaces a symlink at the target instead of writing through it', async () => {
      await writeFile(path.join(outside, 'victim'), 'keep');
      await symlink(path.join(outside, 'victim'), path.join(root, 'link-to-victim'));
      await atomicReplace(root, 'link-to-victim', await tempFile('replaced'));
      assert.equal(await readFile(path.join(outside, 'victim'), 'utf8'), 'keep');
      assert.ok((await lstat(path.join(root, 'link-to-victim'))).isFile());
    });

    it('turns ENOSPC into DISK_FULL, removes the temp file and leaves the target untouched', async () => {
      await writeFileAtomic(root, 'full.txt', Buffer.from('old'), tmp);
      const temp = await tempFile('new but no space');
      const failing = {
        ...diskSteps,
        async finishTemp() {
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        },
      };
      await assert.rejects(atomicReplace(root, 'full.txt', temp, {}, failing), hasCode(ErrorCode.DISK_FULL));
      await assert.rejects(stat(temp), { code: 'ENOENT' });
      assert.equal(await readFile(path.join(root, 'full.txt'), 'utf8'), 'old');
    });

    it('ENOSPC at the rename also leaves the old content', async () => {
      const temp = await tempFile('newer');
      const failing = {
        ...diskSteps,
        async rename() {
          throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
        },
      };
      await assert.rejects(atomicReplace(root, 'full.txt', temp, {}, failing), hasCode(ErrorCode.DISK_FULL));
      await assert.rejects(stat(temp), { code: 'ENOENT' });
      assert.equal(await readFile(path.join(root, 'full.txt'), 'utf8'), 'old');
    });

    it('refuses with LOCAL_CHANGED when the target no longer matches what the caller saw', async () => {
      const before = await lstat(path.join(root, 'full.txt'));
      const seen = { size: before.size, mtimeMs: observedMtimeMs(before), inode: before.ino };
      await writeFile(path.join(root, 'full.txt'), 'user edit!');
      const temp = await tempFile('from peer');
      await assert.rejects(atomicReplace(root, 'full.txt', temp, { expect: seen }), hasCode(ErrorCode.LOCAL_CHANGED));
      assert.equal(await readFile(path.join(root, 'full.txt'), 'utf8'), 'user edit!');
      await assert.rejects(atomicReplace(root, 'full.txt', temp, { expect: null }), hasCode(ErrorCode.LOCAL_CHANGED));
      const now = await lstat(path.join(root, 'full.txt'));
      await atomicReplace(root, 'full.txt', temp, { expect: { size: now.size, mtimeMs: observedMtimeMs(now), inode: now.ino } });
      assert.equal(await readFile(path.join(root, 'full.txt'), 'utf8'), 'from peer');
    });

    it('over a large file it saw: the new version placed, the old one whole for a reader, no second name left', async () => {
      const oldContent = Buffer.alloc(UNLINK_LATER_BYTES, 0x61);
      await writeFile(path.join(root, 'large.bin'), oldContent);
      const before = await lstat(path.join(root, 'large.bin'));
      const reader = await open(path.join(root, 'large.bin'), 'r');
      try {
        const temp = await tempFile('the next version');
        await atomicReplace(root, 'large.bin', temp, { expect: { size: before.size, mtimeMs: observedMtimeMs(before), inode: before.ino } });
        assert.equal(await readFile(path.join(root, 'large.bin'), 'utf8'), 'the next version');
        assert.ok((await reader.readFile()).equals(oldContent), 'a reader of the old version reads it to its end');
      } finally {
        await reader.close();
      }
      // The old version's second name goes on the thread pool, after atomicReplace returned.
      const held = async () => (await readdir(tmp)).filter((name) => name.startsWith('displaced-'));
      for (let i = 0; i < 500 && (await held()).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(await held(), []);
    });

    it('a reader sees the old or the new content, never a mix', async () => {
      const oldContent = Buffer.alloc(4 << 20, 0x61);
      const newContent = Buffer.alloc(4 << 20, 0x62);
      await writeFileAtomic(root, 'big.bin', oldContent, tmp);
      let stop = false;
      const seen = new Set<string>();
      const reader = (async () => {
        while (!stop) {
          const data = await readFile(path.join(root, 'big.bin'));
          assert.equal(data.length, oldContent.length);
          const kinds = new Set([data[0], data[data.length >> 1], data[data.length - 1]]);
          assert.equal(kinds.size, 1, 'mixed content');
          assert.ok(data.equals(oldContent) || data.equals(newContent), 'partial content');
          seen.add(String.fromCharCode(data[0]!));
        }
      })();
      for (let i = 0; i < 10; i++) {
        await writeFileAtomic(root, 'big.bin', i % 2 === 0 ? newContent : oldContent, tmp);
      }
      stop = true;
      await reader;
      assert.ok(seen.size >= 1);
    });
  });

  describe('directories, symlinks, removal, conflicts', () => {
    it('makeDir creates nested folders and refuses a symlink in the chain', async () => {
      await makeDir(root, 'm/n/o', 0o750);
      assert.equal((await stat(path.join(root, 'm/n/o'))).mode & 0o777, 0o750);
      await assert.rejects(makeDir(root, 'out/new'), hasCode(ErrorCode.UNSAFE_PATH));
      await assert.rejects(makeDir(root, 'out'), hasCode(ErrorCode.UNSAFE_PATH));
      assert.deepEqual(await readdir(outside), ['victim']);
    });

    it('createSymlink stores the target as-is and replaces an older link', async () => {
      await createSymlink(root, 'links/l1', '../../outside/victim');
      assert.equal(await readlink(path.join(root, 'links/l1')), '../../outside/victim');
      await createSymlink(root, 'links/l1', 'elsewhere');
      assert.equal(await readlink(path.join(root, 'links/l1')), 'elsewhere');
      await assert.rejects(createSymlink(root, 'out/l2', 'x'), hasCode(ErrorCode.UNSAFE_PATH));
    });

    it('removeEntry removes files, links (not targets) and empty dirs; refuses non-empty dirs', async () => {
      assert.equal(await removeEntry(root, 'link-to-victim'), true);
      assert.equal(await readFile(path.join(outside, 'victim'), 'utf8'), 'keep');
      await writeFileAtomic(root, 'rm/a.txt', Buffer.from('a'), tmp);
      await assert.rejects(removeEntry(root, 'rm'), hasCode(ErrorCode.IO));
      assert.equal(await removeEntry(root, 'rm/a.txt'), true);
      assert.equal(await removeEntry(root, 'rm'), true);
      assert.equal(await removeEntry(root, 'rm'), false);
      await assert.rejects(removeEntry(root, 'out/victim'), hasCode(ErrorCode.UNSAFE_PATH));
      assert.equal(await readFile(path.join(outside, 'victim'), 'utf8'), 'keep');
    });

    it('setAttributes changes mode and mtime', async () => {
      const stats = await setAttributes(root, 'full.txt', { mode: 0o600, mtimeMs: 1_600_000_000_123 });
      assert.equal(stats.mode & 0o777, 0o600);
      assert.equal(observedMtimeMs(stats), 1_600_000_000_123);
    });

    it('renameToConflict never overwrites an existing conflict copy', async () => {
      const name = 'c/x.sync-conflict-20260101-000000-p.txt';
      await writeFileAtomic(root, 'c/x.txt', Buffer.from('one'), tmp);
      const first = await renameToConflict(root, 'c/x.txt', name);
      await writeFileAtomic(root, 'c/x.txt', Buffer.from('two'), tmp);
      const second = await renameToConflict(root, 'c/x.txt', name);
      assert.equal(first, name);
      assert.equal(second, 'c/x.sync-conflict-20260101-000000-p-1.txt');
      await assert.rejects(renameToConflict(root, 'c/x.txt', '../escape'), hasCode(ErrorCode.UNSAFE_PATH));
      assert.equal(await readFile(path.join(root, first), 'utf8'), 'one');
      assert.equal(await readFile(path.join(root, second), 'utf8'), 'two');
    });
  });
});
