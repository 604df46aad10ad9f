import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createIgnoreMatcher } from '../../src/scanner/index.js';
import { createPathDebouncer, startWatcher, type ShareWatcher } from '../../src/watcher/index.js';

/** Waits until `check` is true, polling; fails after a generous timeout. */
async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('path debouncer', () => {
  it('delivers a path once, after events stop touching it', async () => {
    const batches: string[][] = [];
    const debouncer = createPathDebouncer(100, (paths) => batches.push(paths));
    debouncer.touch('a');
    for (let i = 0; i < 5; i++) {
      await sleep(30);
      debouncer.touch('a'); // keeps a unsettled
    }
    debouncer.touch('b');
    assert.equal(batches.length, 0, 'nothing settles while events keep coming');
    await until(() => batches.flat().includes('a') && batches.flat().includes('b'), 'a and b');
    await sleep(250);
    assert.deepEqual(batches.flat().sort(), ['a', 'b']);
    assert.equal(debouncer.size, 0);
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
      stateDir,
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

  it('a written file is delivered once, after it settles', async () => {
    await start();
    await writeFile(path.join(share, 'new.txt'), 'hello');
    for (let i = 0; i < 3; i++) {
      await sleep(40);
      await appendFile(path.join(share, 'new.txt'), ' more');
    }
    await until(() => delivered().includes('new.txt'), 'new.txt');
    await sleep(600);
    assert.deepEqual(delivered().filter((p) => p === 'new.txt'), ['new.txt']);
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

describe('watcher feeding the scanner', () => {
  it('a file written into the share ends up in the index', async () => {
    const { openIndex } = await import('../../src/index/index.js');
    const { createScanner } = await import('../../src/scanner/index.js');
    const { chunkerParams } = await import('../../src/chunker/index.js');
    const base = await mkdtemp(path.join(os.tmpdir(), 'leftsync-watchscan-'));
    const share = path.join(base, 'share');
    const stateDir = path.join(share, '.leftsync');
    await mkdir(stateDir, { recursive: true });
    const index = openIndex(stateDir, 'me');
    const scanner = await createScanner({ shareDir: share, stateDir, index, params: chunkerParams() });
    const watcher = await startWatcher({
      shareDir: share,
      stateDir,
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
