import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Stats } from 'node:fs';
import { createLogger } from '../../src/log.js';
import { DirWatches } from '../../src/watcher/dir-watches.js';

type Reported = { relPath: string; seen: { stats: Stats | null } | undefined };
/** The handler fs.watch calls (private): driven directly so the order of events is exact. */
type EventHandler = { onEvent(relDir: string, event: string, name: string | null): void };

test("a rename event hands on the lstat it took; a change after it hands on none, so the scanner takes its own", async () => {
  const share = await mkdtemp(path.join(os.tmpdir(), 'leftsync-dirwatch-'));
  const reported: Reported[] = [];
  const watches = new DirWatches({
    shareDir: share,
    isIgnored: () => false,
    onPath: (relPath, _whole, seen) => reported.push({ relPath, seen }),
    log: createLogger('test'),
  });
  try {
    await writeFile(path.join(share, 'f.txt'), '12345');
    const handler = watches as unknown as EventHandler;
    handler.onEvent('', 'rename', 'f.txt'); // its lstat is taken now, before the next event is handled
    handler.onEvent('', 'change', 'f.txt'); // a write that lstat may predate
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(reported.map((r) => r.relPath), ['f.txt', 'f.txt']);
    assert.equal(reported[0]!.seen?.stats?.size, 5, "the rename: its lstat");
    assert.equal(reported[1]!.seen, undefined, 'the change after it: nothing seen (the watcher keeps the latest report of a path)');

    reported.length = 0;
    handler.onEvent('', 'rename', 'f.txt');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(reported.length, 1);
    const alone: Reported = reported[0]!;
    assert.equal(alone.seen?.stats?.size, 5, 'alone, its lstat is handed on');
  } finally {
    watches.close();
    await rm(share, { recursive: true, force: true });
  }
});

test('a folder renamed away takes every watch under it along; a file event leaves the watches; no folder is watched under an unwatched one', async () => {
  const share = await mkdtemp(path.join(os.tmpdir(), 'leftsync-dirwatch-'));
  // 'loose' is never watched: a folder under it must not be either.
  const watches = new DirWatches({ shareDir: share, isIgnored: (rel) => rel === 'loose', onPath: () => undefined, log: createLogger('test') });
  // The real watches report these changes too, in their own time: what is watched is compared, not the order.
  const watched = () => [...(watches as unknown as { watches: Map<string, unknown> }).watches.keys()].sort();
  const settle = () => new Promise((resolve) => setTimeout(resolve, 150));
  try {
    await mkdir(path.join(share, 'a', 'b', 'c'), { recursive: true });
    await mkdir(path.join(share, 'a', 'x'));
    await mkdir(path.join(share, 'ab', 'c'), { recursive: true }); // a name that starts like 'a': not under it
    await watches.watchTree('', false);
    assert.deepEqual(watched(), ['', 'a', 'a/b', 'a/b/c', 'a/x', 'ab', 'ab/c']);
    const handler = watches as unknown as EventHandler;

    await writeFile(path.join(share, 'a', 'b', 'f.txt'), 'x');
    handler.onEvent('a/b', 'rename', 'f.txt');
    await settle();
    assert.deepEqual(watched(), ['', 'a', 'a/b', 'a/b/c', 'a/x', 'ab', 'ab/c'], 'a file appearing changes no watch');

    await rename(path.join(share, 'a'), path.join(share, 'moved'));
    handler.onEvent('', 'rename', 'a');
    assert.deepEqual(watched().filter((rel) => rel === 'a' || rel.startsWith('a/')), [], 'a and everything under it are no longer watched');
    assert.ok(watched().includes('ab') && watched().includes('ab/c'), 'ab and ab/c are still watched');
    handler.onEvent('', 'rename', 'moved');
    await settle();
    assert.deepEqual(watched(), ['', 'ab', 'ab/c', 'moved', 'moved/b', 'moved/b/c', 'moved/x']);

    await mkdir(path.join(share, 'loose', 'sub'), { recursive: true });
    await settle();
    await watches.watchTree('loose/sub', false);
    assert.deepEqual(watched(), ['', 'ab', 'ab/c', 'moved', 'moved/b', 'moved/b/c', 'moved/x'], 'loose is not watched, so neither is loose/sub');
  } finally {
    watches.close();
    await rm(share, { recursive: true, force: true });
  }
});
