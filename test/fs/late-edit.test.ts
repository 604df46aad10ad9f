/**
 * A local edit that lands after leftsync checked a file (still as the scanner
 * saw it) and before it renames a new version over it or removes it is not
 * lost: it stays at its path and the step reports LOCAL_CHANGED. The soak
 * (seed 20261201) lost such an edit on a heavily loaded machine: the user's
 * write went into the old inode, which the rename then unlinked.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';
import { placeTempFiles } from '../../src/fs/batch-write.js';
import { atomicReplace, removeEntry } from '../../src/fs/write.js';
import { observedMtimeMs, type SeenFile } from '../../src/model/file-stats.js';
import { writeBeforeNextRename, type LateWrite } from './late-write.js';

const EDIT = Buffer.from('the user saved this just now');

describe('a local edit between the check and the rename or removal', () => {
  let base: string;
  let root: string;
  let tmp: string;
  let late: LateWrite | null = null;
  let n = 0;

  before(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'leftsync-late-edit-'));
    root = path.join(base, 'share');
    tmp = path.join(root, '.leftsync', 'tmp');
    await mkdir(tmp, { recursive: true });
  });
  afterEach(() => {
    late?.restore();
    late = null;
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  /** A file at `rel` as the scanner saw it (a peer's version, its mtime in the past), and a temp file with the next version. */
  async function placedEarlier(rel: string): Promise<{ target: string; seen: SeenFile; temp: string }> {
    const target = path.join(root, rel);
    await writeFile(target, Buffer.alloc(9222, 0x61));
    const stats = await lstat(target);
    const temp = path.join(tmp, `t-${n++}`);
    await writeFile(temp, Buffer.alloc(8547, 0x62));
    return { target, seen: { size: stats.size, mtimeMs: observedMtimeMs(stats), inode: stats.ino }, temp };
  }

  const localChanged = (err: unknown) => err instanceof LeftsyncError && err.code === ErrorCode.LOCAL_CHANGED;

  it('atomicReplace keeps the edit at its path and says LOCAL_CHANGED', async () => {
    const { target, seen, temp } = await placedEarlier('single.bin');
    late = writeBeforeNextRename(target, EDIT);
    await assert.rejects(atomicReplace(root, 'single.bin', temp, { expect: seen, tempFinished: true }), localChanged);
    assert.ok(late.fired, 'the edit was made in the gap');
    assert.deepEqual(await readFile(target), EDIT);
  });

  it('placeTempFiles keeps the edit at its path, says LOCAL_CHANGED for it and places the others', async () => {
    const one = await placedEarlier('batch-1.bin');
    const two = await placedEarlier('batch-2.bin');
    late = writeBeforeNextRename(one.target, EDIT);
    const results = await placeTempFiles(root, [
      { relPath: 'batch-1.bin', tempPath: one.temp, expect: one.seen },
      { relPath: 'batch-2.bin', tempPath: two.temp, expect: two.seen },
    ]);
    assert.ok(late.fired, 'the edit was made in the gap');
    assert.ok(localChanged(results[0]), `batch-1.bin: ${String(results[0])}`);
    assert.deepEqual(await readFile(one.target), EDIT);
    assert.ok(!(results[1] instanceof Error), `batch-2.bin: ${String(results[1])}`);
    assert.deepEqual(await readFile(two.target), Buffer.alloc(8547, 0x62));
  });

  it('removeEntry keeps the edit at its path and says LOCAL_CHANGED', async () => {
    const { target, seen } = await placedEarlier('gone.bin');
    late = writeBeforeNextRename(target, EDIT);
    await assert.rejects(removeEntry(root, 'gone.bin', seen), localChanged);
    assert.ok(late.fired, 'the edit was made in the gap');
    assert.deepEqual(await readFile(target), EDIT);
  });

  it('removeEntry keeps the edit beside the path when a new file took the name meanwhile', async () => {
    const { target, seen } = await placedEarlier('taken.bin');
    late = writeBeforeNextRename(target, EDIT, () => writeFileSync(target, 'saved anew'));
    await assert.rejects(removeEntry(root, 'taken.bin', seen), localChanged);
    assert.equal(await readFile(target, 'utf8'), 'saved anew');
    assert.deepEqual(await readFile(path.join(root, 'taken.local-1.bin')), EDIT);
  });

  it('leaves nothing of its own behind in the share or the temp folder', async () => {
    const names = (await readdir(root)).filter((name) => name !== '.leftsync').sort();
    assert.deepEqual(names, ['batch-1.bin', 'batch-2.bin', 'gone.bin', 'single.bin', 'taken.bin', 'taken.local-1.bin']);
    // Each refused temp file is the caller's (kept for the next attempt); nothing else is there.
    assert.deepEqual((await readdir(tmp)).sort(), ['t-0', 't-1', 't-3', 't-4']);
  });
});
