import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus, type SyncEvent } from '../../src/status/events.js';
import { StatusTracker } from '../../src/status/tracker.js';
import { createMemoryPair } from '../../src/transport/memory.js';

function tracked(): { tracker: StatusTracker; types: () => string[] } {
  const bus = new EventBus();
  const seen: SyncEvent[] = [];
  bus.subscribe((event) => seen.push(event));
  const tracker = new StatusTracker(bus, { peerId: 'me', shareDir: '/s', dialing: [], stats: () => ({}), pending: () => 0 });
  return { tracker, types: () => seen.map((e) => e.type).filter((t) => t.startsWith('peer.')) };
}

test('a link that replaced a duplicate one (a dial race) is reported lost when it closes', () => {
  const { tracker, types } = tracked();
  const [first] = createMemoryPair('me', 'peer-b');
  const [second] = createMemoryPair('me', 'peer-b');
  tracker.linked(first);
  tracker.linked(second); // both dialed at once: the second link is kept
  first.close('duplicate link');
  assert.deepEqual(types(), ['peer.linked'], 'the replaced link closing is no news');
  second.close('peer gone');
  assert.deepEqual(types(), ['peer.linked', 'peer.lost']);
  assert.equal(tracker.snapshot().peers[0]!.linked, false);
});

test('a peer lost and linked again is announced again', () => {
  const { tracker, types } = tracked();
  const [first] = createMemoryPair('me', 'peer-b');
  tracker.linked(first);
  first.close('gone');
  const [again] = createMemoryPair('me', 'peer-b');
  tracker.linked(again);
  again.close('gone again');
  assert.deepEqual(types(), ['peer.linked', 'peer.lost', 'peer.linked', 'peer.lost']);
});
