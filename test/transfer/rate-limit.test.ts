/**
 * The upload cap's token bucket, on a fake clock: no real time passes, so the
 * figures are exact. Sleeping advances the clock by what was asked, as a real
 * sleep would, unless a test holds the sleeps to look at them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket, type RateClock } from '../../src/transfer/rate-limit.js';

function fakeClock(): RateClock & { t: number; slept: number[] } {
  const clock = {
    t: 0,
    slept: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.slept.push(ms);
      clock.t += ms;
    },
  };
  return clock;
}

const KiB = 1024;
const MiB = 1024 * KiB;

test('a full bucket lets its burst through at once; more waits exactly the debt at the rate', async () => {
  const clock = fakeClock();
  const bucket = new TokenBucket(1000, { burstBytes: 500, clock });
  await bucket.take(500);
  assert.deepEqual(clock.slept, []);
  await bucket.take(1000);
  assert.deepEqual(clock.slept, [1000]);
  assert.equal(clock.t, 1000);
  assert.equal(bucket.available, 0, 'the debt was paid by the time the wait ended');
});

test('8 MiB in 256 KiB chunks at 2 MiB/s takes (8 MiB - burst) / rate, whatever the chunk sizes', async () => {
  const clock = fakeClock();
  const bucket = new TokenBucket(2 * MiB, { clock });
  assert.equal(bucket.burstBytes, 256 * KiB, 'the default burst is one largest chunk at this rate');
  for (let sent = 0; sent < 8 * MiB; sent += 256 * KiB) await bucket.take(256 * KiB);
  assert.ok(Math.abs(clock.t - ((8 * MiB - 256 * KiB) / (2 * MiB)) * 1000) < 1e-6, `took ${clock.t} ms`);
  const uneven = fakeClock();
  const other = new TokenBucket(2 * MiB, { clock: uneven });
  const sizes = [17 * KiB, 256 * KiB, 3, 100 * KiB, 64 * KiB];
  let total = 0;
  for (let i = 0; total < 8 * MiB; i++) {
    const n = Math.min(sizes[i % sizes.length]!, 8 * MiB - total);
    await other.take(n);
    total += n;
  }
  assert.ok(Math.abs(uneven.t - clock.t) < 1e-6, `${uneven.t} ms against ${clock.t} ms`);
});

test('callers that arrive together are spaced by the rate, in arrival order', async () => {
  const held: Array<{ ms: number; wake: () => void }> = [];
  let t = 0;
  const clock: RateClock = { now: () => t, sleep: (ms) => new Promise((wake) => held.push({ ms, wake })) };
  const bucket = new TokenBucket(1000, { burstBytes: 0, clock });
  const done: number[] = [];
  const takes = [1, 2, 3].map((n) => bucket.take(1000).then(() => done.push(n)));
  assert.deepEqual(held.map((h) => h.ms), [1000, 2000, 3000]);
  for (const h of held) {
    t = h.ms;
    h.wake();
  }
  await Promise.all(takes);
  assert.deepEqual(done, [1, 2, 3]);
});

test('an idle bucket refills up to its burst, not beyond', async () => {
  const clock = fakeClock();
  const bucket = new TokenBucket(1000, { burstBytes: 4000, clock });
  await bucket.take(4000);
  clock.t += 2000;
  assert.equal(bucket.available, 2000);
  clock.t += 60_000;
  assert.equal(bucket.available, 4000);
  await bucket.take(4000);
  assert.deepEqual(clock.slept, []);
});

test('a rate must be positive', () => {
  assert.throws(() => new TokenBucket(0), RangeError);
  assert.throws(() => new TokenBucket(-5), RangeError);
});
