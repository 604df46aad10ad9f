import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_SCHEMA, EventBus, type SyncEvent } from '../../src/status/events.js';

test('events get increasing ids, the schema version and a time; listeners see each once', () => {
  const bus = new EventBus();
  const seen: SyncEvent[] = [];
  const stop = bus.subscribe((e) => seen.push(e));
  bus.emit('peer.linked', { peer: 'p1', address: '127.0.0.1:1' });
  bus.emit('file.deleted', { peer: 'p1', path: 'a', kind: 'file' });
  stop();
  bus.emit('folder.synced', { peer: 'p1', path: 'd' });
  assert.deepEqual(seen.map((e) => [e.id, e.type]), [[1, 'peer.linked'], [2, 'file.deleted']]);
  assert.equal(seen[0]!.schema, EVENT_SCHEMA);
  assert.ok(!Number.isNaN(Date.parse(seen[0]!.time)));
  assert.equal(bus.lastId, 3);
});

test('the buffer is bounded: since() returns what is left, oldest first, up to limit', () => {
  const bus = new EventBus(5);
  for (let i = 0; i < 12; i++) bus.emit('local.changed', { path: `f${i}`, kind: 'file', deleted: false });
  assert.deepEqual(bus.since(0).map((e) => e.id), [8, 9, 10, 11, 12]);
  assert.deepEqual(bus.since(10).map((e) => e.id), [11, 12]);
  assert.deepEqual(bus.since(8, 2).map((e) => e.id), [9, 10]);
  assert.deepEqual(bus.since(12), []);
});

test('wait() answers at once when newer events exist, else with the next ones, else [] at the timeout', async () => {
  const bus = new EventBus();
  bus.emit('peer.linked', { peer: 'p', address: 'x' });
  assert.deepEqual((await bus.wait(0, 10_000)).map((e) => e.id), [1]);
  const pending = bus.wait(1, 10_000);
  setTimeout(() => {
    // Emitted in one turn: delivered in one answer.
    bus.emit('file.deleted', { peer: 'p', path: 'a', kind: 'file' });
    bus.emit('file.deleted', { peer: 'p', path: 'b', kind: 'file' });
  }, 20);
  assert.deepEqual((await pending).map((e) => e.id), [2, 3]);
  assert.deepEqual(await bus.wait(3, 30), []);
});

test('wait() ends early when its signal aborts', async () => {
  const bus = new EventBus();
  const abort = new AbortController();
  const pending = bus.wait(0, 60_000, 100, abort.signal);
  setTimeout(() => abort.abort(), 10);
  assert.deepEqual(await pending, []);
});
