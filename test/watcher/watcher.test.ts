import assert from 'node:assert/strict';
import { appendFile, chmod, lstat, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createIgnoreMatcher } from '../../src/scanner/ignore.js';
import type { IndexEntry } from '../../src/model/entries.js';
import { createPathDebouncer } from '../../src/watcher/debounce.js';
import { sameAsIndexed } from '../../src/watcher/unchanged.js';
import { startWatcher, type ShareWatcher, type WatcherOptions } from '../../src/watcher/watcher.js';
import { guardOf } from '../helpers/share.js';

/** Waits until `check` is true, polling; fails after a generous timeout. */
async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('path debouncer', () => {
  it('delivers a quiet path at once, and one that keeps changing only once events stop', async () => {
    const batches: string[][] = [];
    const debouncer = createPathDebouncer(100, (paths) => batches.push(paths));
    debouncer.touch('a');
    debouncer.touch('a'); // the events of one write: still one early turn
    await until(() => batches.length === 1, 'a handed on early');
    assert.deepEqual(batches, [['a']]);
    for (let i = 0; i < 5; i++) {
      await sleep(30);
      debouncer.touch('a'); // changed again soon after: now it must settle
    }
    debouncer.touch('b');
    await until(() => batches.flat().includes('b'), 'b, quiet, handed on early');
    assert.equal(batches.flat().filter((p) => p === 'a').length, 1, 'a waits while events keep coming');
    await until(() => batches.flat().filter((p) => p === 'a').length === 2, 'a once settled');
    await sleep(250);
    assert.deepEqual(batches.flat().sort(), ['a', 'a', 'b']);
    assert.equal(debouncer.size, 0);
    debouncer.stop();
  });

  it('paths touched a few milliseconds apart (the two names of a rename) go in one batch', (t) => {
    // Mocked clock: a real one let a loaded machine put 10 ms or more between the two touches.
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const batches: string[][] = [];
    const debouncer = createPathDebouncer(100, (paths) => batches.push(paths));
    debouncer.touch('old-name');
    // The second event of the pair lands in a later millisecond than the first.
    t.mock.timers.tick(3);
    debouncer.touch('new-name');
    t.mock.timers.tick(11);
    assert.deepEqual(batches, [], 'both still gathering (the old name is due 15 ms after its event)');
    t.mock.timers.tick(1);
    assert.deepEqual(batches, [['new-name', 'old-name']], 'split, the old name went first: its tombstone, then a new file to fetch whole');
    debouncer.stop();
  });

  it('a path the scanner found changing under its hash waits to settle', async () => {
    const batches: string[][] = [];
    const debouncer = createPathDebouncer(150, (paths) => batches.push(paths));
    debouncer.unsettled('growing');
    await sleep(60);
    assert.deepEqual(batches, [], 'not handed on early');
    await until(() => batches.length === 1, 'handed on once settled');
    assert.deepEqual(batches, [['growing']]);
    debouncer.stop();
  });

  it('delivers nothing after stop', async () => {
    const batches: string[][] = [];
    const debouncer = createPathDebouncer(50, (paths) => batches.push(paths));
    debouncer.touch('x');
    debouncer.stop();
    await sleep(200);
    assert.deepEqual(batches, []);
  });
});

describe('share watcher', () => {
  let base: string;
  let share: string;
  let stateDir: string;
  let watcher: ShareWatcher | null = null;
  let batches: string[][];
  let rescans: number;

  beforeEach(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'leftsync-watch-'));
    share = path.join(base, 'share');
    stateDir = path.join(share, '.leftsync');
    await mkdir(stateDir, { recursive: true });
    await writeFile(path.join(share, '.leftsyncignore'), 'build/\n');
    batches = [];
    rescans = 0;
  });
  afterEach(async () => {
    await watcher?.stop();
    watcher = null;
    await rm(base, { recursive: true, force: true });
  });

  const start = async (rescanIntervalMs = 0) => {
    watcher = await startWatcher({
      shareDir: share,
      settleMs: 150,
      rescanIntervalMs,
      ignore: await createIgnoreMatcher(share, stateDir),
      onPaths: (paths) => {
        batches.push(paths);
      },
      onFullRescan: () => {
        rescans++;
      },
    });
  };
  const delivered = () => batches.flat();

  it('a new file is delivered at once; appended to soon after, once more after it settles', async () => {
    await start();
    await writeFile(path.join(share, 'new.txt'), 'hello');
    await until(() => delivered().includes('new.txt'), 'new.txt');
    for (let i = 0; i < 3; i++) {
      await sleep(40);
      await appendFile(path.join(share, 'new.txt'), ' more');
    }
    await sleep(600);
    assert.deepEqual(delivered().filter((p) => p === 'new.txt'), ['new.txt', 'new.txt']);
  });

  it('reports new folders and files in them, deletions too', async () => {
    await start();
    await mkdir(path.join(share, 'dir/sub'), { recursive: true });
    await writeFile(path.join(share, 'dir/sub/f'), 'x');
    await until(() => delivered().includes('dir/sub/f'), 'dir/sub/f');
    await rm(path.join(share, 'dir'), { recursive: true });
    await until(() => batches.length >= 2 && delivered().lastIndexOf('dir') > delivered().indexOf('dir/sub/f'), 'dir removal');
  });

  it('ignores the state folder, default ignores and .leftsyncignore rules', async () => {
    await start();
    await writeFile(path.join(stateDir, 'index-ish'), 'x');
    await writeFile(path.join(share, '.x.swp'), 'x');
    await mkdir(path.join(share, 'build'));
    await writeFile(path.join(share, 'build/out.o'), 'x');
    await writeFile(path.join(share, 'marker'), 'x');
    await until(() => delivered().includes('marker'), 'marker');
    await sleep(400);
    assert.deepEqual(delivered(), ['marker']);
  });

  it('runs the periodic full rescan and stops everything on stop()', async () => {
    await start(100);
    await until(() => rescans >= 2, 'two rescans');
    await watcher!.stop();
    watcher = null;
    const seen = rescans;
    await writeFile(path.join(share, 'after-stop'), 'x');
    await sleep(500);
    assert.equal(rescans, seen);
    assert.deepEqual(delivered(), []);
  });
});

describe('share watcher at scale and through renames', () => {
  let base: string;
  let share: string;
  let watcher: ShareWatcher | null = null;
  let batches: string[][];

  beforeEach(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'leftsync-watch-many-'));
    share = path.join(base, 'share');
    await mkdir(path.join(share, '.leftsync'), { recursive: true });
    batches = [];
  });
  afterEach(async () => {
    await watcher?.stop();
    watcher = null;
    await rm(base, { recursive: true, force: true });
  });

  /** Starts the watcher (batches recorded, no periodic rescan), `more` options changed. */
  const start = async (more: Partial<WatcherOptions> = {}) => {
    watcher = await startWatcher({
      shareDir: share,
      settleMs: 100,
      rescanIntervalMs: 0,
      ignore: await createIgnoreMatcher(share, path.join(share, '.leftsync')),
      onPaths: (paths) => {
        batches.push(paths);
      },
      onFullRescan: () => undefined,
      ...more,
    });
  };
  const delivered = () => new Set(batches.flat());

  it('delivers every one of 500 files written into one folder', async () => {
    await mkdir(path.join(share, 'many'));
    await start();
    for (let i = 0; i < 500; i++) await writeFile(path.join(share, 'many', `f${i}`), String(i));
    await until(() => delivered().size >= 500, '500 paths');
    for (let i = 0; i < 500; i++) assert.ok(delivered().has(`many/f${i}`), `many/f${i}`);
  });

  it('a folder renamed into the share reports what it already holds, and is watched', async () => {
    await start();
    const outside = path.join(base, 'staged');
    await mkdir(path.join(outside, 'sub'), { recursive: true });
    await writeFile(path.join(outside, 'a'), 'a');
    await writeFile(path.join(outside, 'sub/b'), 'b');
    await rename(outside, path.join(share, 'moved'));
    await until(() => ['moved', 'moved/a', 'moved/sub', 'moved/sub/b'].every((p) => delivered().has(p)), 'moved tree');
    await writeFile(path.join(share, 'moved/sub/c'), 'c');
    await until(() => delivered().has('moved/sub/c'), 'a file written later in the moved folder');
  });

  it('a folder deleted and created again under the same name is watched again', async () => {
    await mkdir(path.join(share, 'again'));
    await start();
    await rm(path.join(share, 'again'), { recursive: true });
    await mkdir(path.join(share, 'again'));
    await until(() => delivered().has('again'), 'again');
    await writeFile(path.join(share, 'again/new'), 'x');
    await until(() => delivered().has('again/new'), 'a file in the new folder');
  });

  it('paths that are exactly as indexed are not delivered; the others are', async () => {
    await start({ isUnchanged: (relPath) => relPath.startsWith('placed') });
    await writeFile(path.join(share, 'placed-1'), 'x');
    await writeFile(path.join(share, 'placed-2'), 'x');
    await writeFile(path.join(share, 'edited'), 'x');
    await until(() => delivered().has('edited'), 'edited');
    await sleep(300);
    assert.deepEqual([...delivered()], ['edited']);
  });

  it('a file written right after it was renamed in is judged by what it holds after the write, not at the rename', async () => {
    // "Unchanged" is a file of the 5 bytes that were renamed in; the append makes 10.
    const judged: (number | null)[] = [];
    await start({
      isUnchanged: (_relPath, stats) => {
        judged.push(stats?.size ?? null);
        return stats?.size === 5;
      },
    });
    for (let i = 0; i < 20; i++) {
      await writeFile(path.join(base, `staged-${i}`), '12345');
      await rename(path.join(base, `staged-${i}`), path.join(share, `renamed-${i}`));
      if (i % 2 === 1) await appendFile(path.join(share, `renamed-${i}`), '67890');
    }
    const written = Array.from({ length: 10 }, (_, k) => `renamed-${2 * k + 1}`);
    await until(() => written.every((p) => delivered().has(p)), 'every file written after its rename');
    await sleep(300);
    for (let i = 0; i < 20; i += 2) assert.ok(!delivered().has(`renamed-${i}`), `renamed-${i} is as renamed in: not delivered`);
    assert.ok(judged.includes(10));
  });

  it('one batch at a time: paths settling during a scan go as the next batch, filtered once that scan is done', async () => {
    const recorded = new Set<string>();
    let running = 0;
    let mostAtOnce = 0;
    let releaseFirst: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    await start({
      isUnchanged: (relPath) => recorded.has(relPath),
      onPaths: async (paths) => {
        mostAtOnce = Math.max(mostAtOnce, ++running);
        batches.push(paths);
        // The first "scan" is slow and records the folder's files it walks, as the scanner's walk does.
        if (batches.length === 1) {
          await firstHeld;
          for (let i = 0; i < 20; i++) recorded.add(`tree/f${i}`);
        }
        running--;
      },
    });
    await mkdir(path.join(share, 'first'));
    await until(() => batches.length === 1, 'the first batch');
    // While it runs: files the slow scan will have recorded, and one it will not.
    await mkdir(path.join(share, 'tree'));
    for (let i = 0; i < 20; i++) await writeFile(path.join(share, 'tree', `f${i}`), String(i));
    await writeFile(path.join(share, 'late'), 'x');
    await sleep(300);
    assert.equal(batches.length, 1, 'nothing more handed on while the first batch runs');
    releaseFirst();
    await until(() => batches.length === 2, 'the next batch');
    await sleep(200);
    assert.equal(mostAtOnce, 1);
    assert.deepEqual(batches[1], ['late', 'tree'], 'everything settled meanwhile, in one batch, less what the first scan recorded');
  });
});

describe('sameAsIndexed', () => {
  const none = (): boolean => false;
  it('matches a file only on equal type, size, mtime (ms), inode and mode', async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'leftsync-same-'));
    try {
      await writeFile(path.join(base, 'f'), 'hello');
      await chmod(path.join(base, 'f'), 0o640);
      const stats = await lstat(path.join(base, 'f'));
      const entry = {
        path: 'f',
        type: 'file',
        size: 5,
        mtimeMs: Math.round(stats.mtimeMs),
        inode: stats.ino,
        mode: 0o640,
        deleted: false,
      } as unknown as IndexEntry;
      assert.equal(sameAsIndexed(entry, stats, none), true);
      assert.equal(sameAsIndexed(undefined, stats, none), false);
      assert.equal(sameAsIndexed({ ...entry, deleted: true }, stats, none), false);
      assert.equal(sameAsIndexed({ ...entry, size: 6 }, stats, none), false);
      assert.equal(sameAsIndexed({ ...entry, mtimeMs: entry.mtimeMs + 1 }, stats, none), false);
      assert.equal(sameAsIndexed({ ...entry, inode: entry.inode + 1 }, stats, none), false);
      assert.equal(sameAsIndexed({ ...entry, mode: 0o644 }, stats, none), false, 'a chmod is a change');
      const dirStats = await lstat(base);
      const dir = { ...entry, type: 'dir', size: 0, inode: dirStats.ino, mode: dirStats.mode & 0o777 } as IndexEntry;
      assert.equal(sameAsIndexed(dir, dirStats, none), true, 'a folder placed and recorded (by the puller) is not rescanned');
      assert.equal(sameAsIndexed({ ...dir, inode: dirStats.ino + 1 }, dirStats, none), false, 'another folder moved over it is');
      assert.equal(sameAsIndexed({ ...dir, mode: 0o700 }, dirStats, none), dirStats.mode % 0o1000 === 0o700, 'a chmod is a change');
      assert.equal(sameAsIndexed(dir, stats, none), false, 'a file where a folder was');
      // Gone from disk: as indexed only when the index holds nothing live there or below.
      assert.equal(sameAsIndexed({ ...entry, deleted: true }, null, none), true, 'a file the applier deleted is not rescanned');
      assert.equal(sameAsIndexed(undefined, null, none), true, 'a path never indexed and gone again');
      assert.equal(sameAsIndexed(entry, null, none), false, 'a live file gone from disk is a deletion to scan');
      assert.equal(sameAsIndexed({ ...dir, deleted: true }, null, () => true), false, 'a gone folder with live entries below is scanned');
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});

describe('watcher feeding the scanner', () => {
  it('a file written into the share ends up in the index', async () => {
    const { openIndex } = await import('../../src/db/sqlite-index.js');
    const { createScanner } = await import('../../src/scanner/scanner.js');
    const { chunkerParams } = await import('../../src/chunker/params.js');
    const { createScanLock } = await import('../../src/scanner/scan-lock.js');
    const base = await mkdtemp(path.join(os.tmpdir(), 'leftsync-watchscan-'));
    const share = path.join(base, 'share');
    const stateDir = path.join(share, '.leftsync');
    await mkdir(stateDir, { recursive: true });
    const index = openIndex(stateDir, 'me');
    const scanner = await createScanner({ shareDir: share, stateDir, index, params: chunkerParams(), lock: createScanLock(), share: await guardOf(share, stateDir) });
    const watcher = await startWatcher({
      shareDir: share,
      settleMs: 100,
      rescanIntervalMs: 0,
      ignore: scanner.ignore,
      onPaths: async (paths) => {
        await scanner.scanPaths(paths);
      },
      onFullRescan: async () => {
        await scanner.scanAll();
      },
    });
    try {
      await mkdir(path.join(share, 'docs'));
      await writeFile(path.join(share, 'docs/readme.md'), '# hi');
      await until(() => index.get('docs/readme.md') !== undefined, 'indexed file');
      assert.equal(index.get('docs')!.type, 'dir');
      await rm(path.join(share, 'docs'), { recursive: true });
      await until(() => index.get('docs')?.deleted === true, 'tombstone');
      assert.equal(index.get('docs/readme.md')!.deleted, true);
    } finally {
      await watcher.stop();
      index.close();
      await rm(base, { recursive: true, force: true });
    }
  });
});
