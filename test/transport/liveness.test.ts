import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import type { LinkHealth } from '../../src/transport/connection.js';
import { watchLiveness } from '../../src/transport/liveness.js';

test('liveness records when the peer was last heard and the round trip of answered pings', async () => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  await new Promise<void>((resolve, reject) => {
    client.once('open', resolve);
    client.once('error', reject);
  });
  const health: LinkHealth = { lastSeenMs: 0, rttMs: null };
  const stop = watchLiveness(client, { intervalMs: 50, timeoutMs: 10_000, onDead: () => assert.fail('not dead'), health });
  try {
    const deadline = Date.now() + 10_000;
    while (health.rttMs === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.notEqual(health.rttMs, null, 'a pong arrived and was timed');
    assert.ok(health.rttMs! >= 0);
    assert.ok(health.lastSeenMs > 0, 'the pong counts as hearing the peer');
  } finally {
    stop();
    client.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
});
