/**
 * The soak's relay (test/helpers/relay.ts) does what the soak counts on: bytes
 * cross intact and are counted; a black hole lets nothing through and closes
 * nothing, and what was held back arrives once healed; a reset closes both
 * sides at once. And through real leftsync peers: a black-holed link is noticed
 * by the liveness pings alone (LS_PEER_TIMEOUT), and after heal() the peers
 * link again and sync.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import path from 'node:path';
import { cleanupNodes, removeTempDirs } from '../helpers/node-process.js';
import { PortRange } from '../helpers/ports.js';
import { Relay } from '../helpers/relay.js';
import { newShare, startSyncNode, whenLinked } from '../helpers/sync-node.js';
import { treeOf, waitForSameTrees, waitUntil } from '../helpers/tree.js';

const ports = new PortRange(24720, 24739);

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

/** An echo server on 127.0.0.1 and a client connected to it through a relay. */
async function echoThroughRelay(): Promise<{ relay: Relay; client: Socket; received: () => string; close: () => Promise<void> }> {
  const server = createServer((socket) => socket.on('error', () => undefined).pipe(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const relay = await Relay.start((server.address() as { port: number }).port);
  const client = connect(relay.port, '127.0.0.1');
  client.on('error', () => undefined);
  await once(client, 'connect');
  let text = '';
  client.setEncoding('utf8').on('data', (data: string) => (text += data));
  return {
    relay, client, received: () => text,
    close: async () => {
      client.destroy();
      await relay.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

test('relay: forwards and counts bytes; a black hole holds them back without closing; heal delivers them intact', async () => {
  const { relay, client, received, close } = await echoThroughRelay();
  client.write('one ');
  await waitUntil('the echo', () => received() === 'one ');
  assert.equal(relay.bytesForwarded, 8);

  relay.blackhole();
  client.write('two ');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(received(), 'one ');
  assert.ok(!client.destroyed && !client.readableEnded, 'a black hole closes nothing');

  relay.heal();
  await waitUntil('the held-back bytes', () => received() === 'one two ');
  assert.equal(relay.bytesForwarded, 16);
  await close();
});

test('relay: reset closes the connection at once and the relay accepts the next one', async () => {
  const { relay, client, close } = await echoThroughRelay();
  // An RST: the client sees ECONNRESET, then the close.
  const closed = new Promise<boolean>((resolve) => client.once('close', resolve));
  relay.reset();
  assert.equal(await closed, true, 'closed with an error');
  const again = connect(relay.port, '127.0.0.1');
  again.on('error', () => undefined);
  await once(again, 'connect');
  again.write('x');
  await once(again, 'data');
  again.destroy();
  assert.equal(relay.connections, 2);
  await close();
});

test('relay: two leftsync peers notice a black-holed link by their liveness pings, and sync again after heal', async () => {
  const [dirA, dirB] = [newShare(), newShare()];
  const [portA, portB] = [ports.take(), ports.take()];
  const toB = await Relay.start(portB);
  const toA = await Relay.start(portA);
  // Closed whatever happens: an open relay would keep the test process alive after a failure.
  after(() => Promise.all([toB.close(), toA.close()]));
  const a = startSyncNode(dirA, portA, [toB.port]);
  const b = startSyncNode(dirB, portB, [toA.port]);
  await Promise.all([whenLinked(a), whenLinked(b)]);

  const fromA = a.mark();
  const fromB = b.mark();
  toB.blackhole();
  toA.blackhole();
  // The dial race may still close a duplicate link after the mark (LS_DUPLICATE_LINK): the liveness timeout is what counts.
  const dropped = await Promise.all([a, b].map((node, i) => node.waitForEvent('peer.disconnected', { code: 'LS_PEER_TIMEOUT' }, 20_000, [fromA, fromB][i])));
  assert.equal(dropped.length, 2);

  await writeFile(path.join(dirA, 'after-heal.txt'), 'crossed once the link was back\n');
  toB.heal();
  toA.heal();
  await waitForSameTrees([dirA, dirB], { expected: await treeOf(dirA), timeoutMs: 30_000 });
  await a.kill();
  await b.kill();
});
