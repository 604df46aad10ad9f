/**
 * pauseReading()/resumeReading() on both PeerConnections: while paused no frame
 * is delivered (over a socket the kernel buffers fill and TCP holds the peer
 * back), on resume every frame arrives, in order.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { chunkerParams } from '../../src/chunker/params.js';
import type { Frame } from '../../src/protocol/messages.js';
import type { PeerConnection } from '../../src/transport/connection.js';
import { createMemoryPair } from '../../src/transport/memory.js';
import { PortRange } from '../helpers/ports.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { SECRET, startTransport, stopAll, until } from './in-process.js';

const ports = new PortRange(23300, 23319);
after(stopAll);

function request(i: number): Frame {
  return { treeRequest: { requestId: i, path: `f${i}`, digest: new Uint8Array(32), nodes: [new Uint8Array(32)] } };
}

const ids = (frames: Frame[]): number[] => frames.map((f) => f.treeRequest!.requestId);
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('memory pair: frames are held while paused, delivered in order on resume, and a handler may pause again', async () => {
  const [a, b] = createMemoryPair('a', 'b');
  const got: Frame[] = [];
  b.onFrame((frame) => {
    got.push(frame);
    if (frame.treeRequest!.requestId === 3) b.pauseReading();
  });
  b.pauseReading();
  for (let i = 1; i <= 5; i++) await a.send(request(i));
  await settle(20);
  assert.deepEqual(got, []);
  b.resumeReading();
  assert.deepEqual(ids(got), [1, 2, 3], 'the handler paused after 3');
  b.resumeReading();
  assert.deepEqual(ids(got), [1, 2, 3, 4, 5]);
});

test('WebSocket link: a paused link delivers nothing while the peer keeps sending, then everything', async () => {
  const port = ports.take();
  let link: PeerConnection | undefined;
  const got: Frame[] = [];
  await startTransport('pause-a', port, {
    onConnection: (conn) => {
      link = conn;
      conn.onFrame((frame) => got.push(frame));
    },
    pingTimeoutMs: 60_000,
    pingIntervalMs: 30_000,
  });
  const raw = await RawPeer.connect(port);
  await raw.authenticate(SECRET, 'pause-raw', chunkerParams('fastcdc'));
  await until(() => link !== undefined, 5_000, 'link');
  link!.pauseReading();
  const count = 2_000;
  for (let i = 1; i <= count; i++) raw.send(request(i));
  await settle(300);
  // What ws had already read from the socket before the pause may still come
  // through; the rest waits in the socket.
  assert.ok(got.length < count, `paused link delivered all ${got.length} frames`);
  const whilePaused = got.length;
  await settle(300);
  assert.equal(got.length, whilePaused, 'nothing more arrives while paused');
  link!.resumeReading();
  await until(() => got.length === count, 10_000, 'every frame after resume');
  assert.deepEqual(ids(got), Array.from({ length: count }, (_, i) => i + 1));
  raw.close();
});
