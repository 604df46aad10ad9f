import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';
import { RequestTracker } from '../../src/transfer/requests.js';

interface Reply {
  requestId: number;
  index: number;
  payload: string;
}

test('a request of several replies keeps what keep() made of each, as each arrived, in index order', async () => {
  const tracker = new RequestTracker<Reply>();
  const seen: number[] = [];
  const { id, replies } = tracker.openMany(3, (reply) => reply.index, (reply, index) => {
    seen.push(index);
    return reply.payload.toUpperCase();
  });
  assert.equal(tracker.settle(id, { requestId: id, index: 2, payload: 'c' }), true);
  assert.deepEqual(seen, [2], 'kept at arrival, before the others came');
  tracker.settle(id, { requestId: id, index: 0, payload: 'a' });
  tracker.settle(id, { requestId: id, index: 0, payload: 'again' });
  tracker.settle(id, { requestId: id, index: 1, payload: 'b' });
  assert.deepEqual(await replies, ['A', 'B', 'C']);
  assert.deepEqual(seen, [2, 0, 1], 'a second reply for one index is not taken');
  assert.equal(tracker.size, 0);
});

test('a keep() that throws fails its request with that error, and later replies find nobody waiting', async () => {
  const tracker = new RequestTracker<Reply>();
  const { id, replies } = tracker.openMany(2, (reply) => reply.index, () => {
    throw new LeftsyncError(ErrorCode.INTERNAL, 'cannot keep');
  });
  tracker.settle(id, { requestId: id, index: 0, payload: 'a' });
  await assert.rejects(replies, /cannot keep/);
  assert.equal(tracker.settle(id, { requestId: id, index: 1, payload: 'b' }), false);
});
