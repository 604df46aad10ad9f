import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
