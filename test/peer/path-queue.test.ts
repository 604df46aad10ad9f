import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { MAX_REQUEUES, PathQueue, type WorkOutcome } from '../../src/peer/path-queue.js';
import type { IndexEntry } from '../../src/model/entries.js';
import { StoredNeeds } from '../../src/peer/stored-needs.js';
import { waitFor } from './harness.js';

function makeQueue(concurrency: number, run: (p: string) => Promise<WorkOutcome>) {
  const settled: Array<[string, WorkOutcome]> = [];
  const queue = new PathQueue({
    concurrency,
    run,
    onSettled: (p, outcome) => {
      if (p !== null) settled.push([p, outcome!]);
    },
    log: createLogger('path-queue-test'),
  });
  return { queue, settled };
}

test('no more paths run at once than the concurrency', async () => {
  let running = 0;
  let peak = 0;
  const { queue, settled } = makeQueue(3, async () => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 5));
    running--;
    return 'applied';
  });
  for (let i = 0; i < 12; i++) queue.offer(`p${i}`, () => true);
  await waitFor('all done', () => settled.length === 12);
  assert.equal(peak, 3);
  assert.equal(queue.idle, true);
});

test('a path offered while it runs runs again afterwards, even if it looked done', async () => {
  const runs: string[] = [];
  let release!: () => void;
  const { queue, settled } = makeQueue(2, async (p) => {
    runs.push(p);
    if (runs.length === 1) await new Promise<void>((r) => (release = r));
    return 'applied';
  });
  queue.offer('x', () => true);
  await waitFor('x running', () => runs.length === 1);
  queue.offer('x', () => false);
  release();
  await waitFor('x ran twice', () => settled.length === 2);
  assert.deepEqual(runs, ['x', 'x']);
});

test('a path that needs no work is not queued', async () => {
  const { queue, settled } = makeQueue(2, async () => 'applied');
  queue.offer('nothing', () => false);
  assert.equal(queue.idle, true);
  assert.equal(settled.length, 0);
});

test('a path whose local side keeps changing is retried a bounded number of times', async () => {
  const { queue, settled } = makeQueue(2, async () => 'rescanned');
  queue.offer('restless', () => true);
  await waitFor('gave up', () => queue.idle && settled.length > 0);
  assert.equal(settled.length, MAX_REQUEUES + 1);
});

test('work paused by a full disk or a missing share is retried without end (past MAX_REQUEUES) until it goes through', async () => {
  let attempts = 0;
  const pausedTimes = MAX_REQUEUES * 3;
  const settled: Array<[string, WorkOutcome]> = [];
  const queue = new PathQueue({
    concurrency: 1,
    run: async () => {
      attempts++;
      if (attempts <= pausedTimes) {
        throw new LeftsyncError(attempts % 2 === 0 ? ErrorCode.DISK_FULL : ErrorCode.SHARE_MISSING, 'not now');
      }
      return 'applied';
    },
    onSettled: (p, outcome) => {
      if (p !== null) settled.push([p, outcome!]);
    },
    log: createLogger('path-queue-test'),
    pauseDelay: () => 1,
  });
  queue.offer('big.bin', () => true);
  await waitFor('the paused path went through', () => settled.some(([, outcome]) => outcome === 'applied'));
  assert.equal(attempts, pausedTimes + 1);
  assert.equal(settled.filter(([, outcome]) => outcome === 'paused').length, pausedTimes);
  assert.equal(queue.idle, true);
});

test('deletions wait until every other queued or running path is done', async () => {
  const order: string[] = [];
  const releases: Array<() => void> = [];
  const { queue, settled } = makeQueue(4, async (p) => {
    order.push(`start ${p}`);
    if (p.startsWith('new')) await new Promise<void>((r) => releases.push(r));
    order.push(`end ${p}`);
    return 'applied';
  });
  queue.offer('new-name', () => true);
  queue.offer('old-name', () => true, true);
  queue.offer('old-folder/file', () => true, true);
  queue.offer('new-folder/file', () => true);
  await waitFor('both pulls running', () => releases.length === 2);
  assert.deepEqual(order, ['start new-name', 'start new-folder/file'], 'no deletion runs beside a pull');
  releases.shift()!();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(order.some((o) => o.startsWith('start old')), false, 'still one pull running');
  releases.shift()!();
  await waitFor('all done', () => settled.length === 4);
  assert.ok(order.indexOf('start old-name') > order.indexOf('end new-name'));
  assert.ok(order.indexOf('start old-name') > order.indexOf('end new-folder/file'));
  assert.equal(queue.idle, true);
});

test('with a deletion runner, deletions go as batches in arrival order, one batch at a time, after the pulls', async () => {
  const batches: string[][] = [];
  let running = 0;
  let peak = 0;
  let releasePull!: () => void;
  const settled: Array<[string, WorkOutcome]> = [];
  const queue = new PathQueue({
    concurrency: 4,
    run: async (p) => {
      if (p === 'pull') await new Promise<void>((r) => (releasePull = r));
      return 'applied';
    },
    deletions: {
      max: 3,
      run: async (paths) => {
        batches.push(paths);
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return paths.map(() => 'applied' as const);
      },
    },
    onSettled: (p, outcome) => {
      if (p !== null) settled.push([p, outcome!]);
    },
    log: createLogger('path-queue-test'),
  });
  queue.offer('pull', () => true);
  for (const p of ['d/1', 'd/2', 'd/3', 'd/4', 'd/5', 'd/6', 'd/7', 'd']) queue.offer(p, () => true, true);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(batches, [], 'no deletion beside a pull');
  releasePull();
  await waitFor('all done', () => settled.length === 9);
  assert.deepEqual(batches, [['d/1', 'd/2', 'd/3'], ['d/4', 'd/5', 'd/6'], ['d/7', 'd']]);
  assert.equal(peak, 1, 'one deletion batch at a time: a folder\'s files are gone before its own turn');
  assert.equal(queue.idle, true);
});

test('a path deleted and then re-created before its turn leaves the deletion lane', async () => {
  const runs: string[] = [];
  let release!: () => void;
  const { queue, settled } = makeQueue(1, async (p) => {
    runs.push(p);
    if (p === 'busy') await new Promise<void>((r) => (release = r));
    return 'applied';
  });
  queue.offer('busy', () => true);
  await waitFor('busy running', () => runs.length === 1);
  queue.offer('flip', () => true, true);
  queue.offer('flip', () => true, false);
  queue.offer('later', () => true);
  release();
  await waitFor('all done', () => settled.length === 3);
  assert.deepEqual(runs, ['busy', 'flip', 'later'], 'the re-created path runs in arrival order');
});

test('an announce far above the queue limit whose every path fails keeps the paths waiting for a retry within the limit', async () => {
  // 50,000 stored entries, a queue of 100: the paths whose work failed wait for their
  // retry in the queue's count, so the store is not read into retry timers without end.
  const stored = Array.from({ length: 50_000 }, (_, i) => `d${String(i % 100).padStart(3, '0')}/f${String(i).padStart(6, '0')}`).sort();
  const entry = (p: string) => ({ path: p }) as IndexEntry;
  let runs = 0;
  let peak = 0;
  let needs: StoredNeeds | undefined;
  const queue = new PathQueue({
    concurrency: 4,
    run: async () => {
      runs++;
      return 'failed';
    },
    onSettled: () => {
      peak = Math.max(peak, queue.pending);
      needs?.refill();
    },
    log: createLogger('path-queue-test'),
  });
  needs = new StoredNeeds({
    limit: 100,
    waiting: () => queue.waiting,
    page: (after, limit) => {
      const from = stored.findIndex((p) => p > after);
      return from < 0 ? [] : stored.slice(from, from + limit).map(entry);
    },
    offer: (remote) => queue.offer(remote.path, () => true),
  });
  needs.rescan();
  await waitFor('a round of work', () => runs >= 100);
  await new Promise((resolve) => setTimeout(resolve, 300));
  queue.close();
  assert.ok(peak <= 100 + 4, `at most ${peak} paths pending at once`);
  assert.ok(needs.pending, 'the rest still waits in the store');
});
