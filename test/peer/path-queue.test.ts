import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { MAX_REQUEUES, PathQueue, type WorkOutcome } from '../../src/peer/path-queue.js';
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
