import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunkerParams } from '../../src/chunker/params.js';
import { ErrorCode } from '../../src/errors.js';
import { encodeFrameUnchecked } from '../../src/protocol/frame.js';
import { MAX_CHUNK_BYTES, MAX_FRAME_BYTES, MAX_REQUEST_BYTES, MAX_WANTS_PER_REQUEST } from '../../src/protocol/limits.js';
import type { Frame } from '../../src/protocol/messages.js';
import type { PeerConnection } from '../../src/transport/connection.js';
import { SEND_HIGH_WATER_BYTES } from '../../src/transport/frame-channel.js';
import type { WsPeerConnection } from '../../src/transport/ws-connection.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { openSocket } from '../helpers/raw-socket.js';
import { SECRET, captureLogsUntilStopped, onlyLink, startTransport, until } from './in-process.js';
import { PortRange } from '../helpers/ports.js';

const ports = new PortRange(23000, 23199);
const logs = captureLogsUntilStopped();

const addr = (port: number) => ({ host: '127.0.0.1', port });
const chunkReply = (size: number): Frame => ({ chunkReply: { requestId: 1, hash: new Uint8Array(32), compressed: false, payload: new Uint8Array(size), errorCode: '', index: 0 } });

test('the listener accepts full-size frames once the dialer is authenticated', async () => {
  const p = ports.take();
  const got: Frame[] = [];
  await startTransport('big-a', p, { onConnection: (conn) => conn.onFrame((frame) => got.push(frame)) });
  const raw = await RawPeer.connect(p);
  await raw.authenticate(SECRET, 'big-raw', chunkerParams('fastcdc'));
  raw.send(chunkReply(256 * 1024));
  await until(() => got.length === 1, 5_000, 'the large frame');
  assert.equal(got[0].chunkReply!.payload.length, 256 * 1024);
  raw.close();
});

test('two peers connect, authenticate, exchange Hello and frames both ways', async () => {
  const pa = ports.take();
  const pb = ports.take();
  const received: Array<[string, Frame]> = [];
  const collect = (who: string) => (conn: PeerConnection) => conn.onFrame((frame) => received.push([who, frame]));
  const a = await startTransport('peer-a1', pa, { onConnection: collect('a') });
  const b = await startTransport('peer-b1', pb, { peers: [addr(pa)], onConnection: collect('b') });
  await until(() => onlyLink(a) !== undefined && onlyLink(b) !== undefined, 10_000, 'link');
  const linkA = onlyLink(a)! as WsPeerConnection;
  const linkB = onlyLink(b)! as WsPeerConnection;
  assert.equal(linkA.peerId, 'peer-b1');
  assert.equal(linkB.peerId, 'peer-a1');
  assert.equal(linkA.linkId, linkB.linkId);
  assert.equal(linkB.remoteHello.chunker!.engine, 'fastcdc');
  await linkA.send({ indexRequest: { indexId: '', since: 0 } });
  await linkB.send({ indexRequest: { indexId: 'x', since: 5 } });
  await until(() => received.length === 2, 5_000, 'frames');
  assert.deepEqual(received.find(([who]) => who === 'b')![1], { indexRequest: { indexId: '', since: 0 } });
  assert.deepEqual(received.find(([who]) => who === 'a')![1], { indexRequest: { indexId: 'x', since: 5 } });
});

test('simultaneous dial: exactly one link survives, the same on both sides', async () => {
  for (let round = 0; round < 5; round++) {
    const pa = ports.take();
    const pb = ports.take();
    const a = await startTransport(`sim${round}-a`, pa);
    const b = await startTransport(`sim${round}-b`, pb);
    // Same tick: both dial before either handshake can finish.
    a.addPeer(addr(pb));
    b.addPeer(addr(pa));
    await until(() => onlyLink(a) !== undefined && onlyLink(b) !== undefined, 10_000, 'one link each');
    // Let any duplicate resolution and redial play out, then check it is stable.
    await new Promise((resolve) => setTimeout(resolve, 700));
    const la = onlyLink(a) as WsPeerConnection | undefined;
    const lb = onlyLink(b) as WsPeerConnection | undefined;
    assert.ok(la && lb, `round ${round}: a link on each side`);
    assert.equal(la.linkId, lb.linkId, `round ${round}: same link on both sides`);
    assert.equal(la.dialerId, `sim${round}-a`, 'the link dialed by the smaller id is kept');
    // Both links were authenticated, so the tie-break really ran on both sides.
    for (const side of ['a', 'b']) {
      assert.ok(logs.of(`sim${round}-${side}`).some((e) => e.event === 'link.duplicate'), `round ${round}: duplicate resolved on ${side}`);
    }
    await a.stop();
    await b.stop();
  }
});

test('a node dialing itself refuses the link and stops dialing that address', async () => {
  const p = ports.take();
  const t = await startTransport('selfie', p);
  t.addPeer(addr(p));
  const refused = await logs.waitFor((e) => e.module === 'transport:selfie' && e.event === 'peer.refused' && e.code === ErrorCode.SELF_CONNECTION);
  assert.match(String(refused.reason), /ourselves/);
  await new Promise((resolve) => setTimeout(resolve, 800));
  assert.equal(t.connections().length, 0);
  const attempts = logs.of('selfie').filter((e) => e.event === 'peer.refused' && e.direction === 'out').length;
  assert.equal(attempts, 1, 'no redial of our own address');
});

for (const [name, overrides, code] of [
  ['chunker parameters', { chunker: chunkerParams('rabin') }, ErrorCode.CHUNKER_MISMATCH],
  ['protocol versions', { protocolVersion: 99 }, ErrorCode.PROTO_VERSION],
] as const) {
  test(`different ${name}: both sides refuse with a clear message`, async () => {
    const pa = ports.take();
    const idA = `mm-${code}-a`.toLowerCase().replace(/[^a-z0-9-]/g, '');
    const idB = `mm-${code}-b`.toLowerCase().replace(/[^a-z0-9-]/g, '');
    const a = await startTransport(idA, pa);
    const b = await startTransport(idB, ports.take(), { peers: [addr(pa)], ...overrides });
    const onA = await logs.waitFor((e) => e.module === `transport:${idA}` && e.event === 'peer.refused' && e.code === code);
    const onB = await logs.waitFor((e) => e.module === `transport:${idB}` && e.event === 'peer.refused' && e.code === code);
    assert.equal(onA.peer, idB);
    assert.equal(onB.peer, idA);
    assert.equal(a.connections().length + b.connections().length, 0);
  });
}

test('wrong secret: one auth.failed line on each side, no link', async () => {
  const pa = ports.take();
  const a = await startTransport('ws-a', pa);
  const b = await startTransport('ws-b', ports.take(), { peers: [addr(pa)], secret: Buffer.from('not the secret') });
  const onA = await logs.waitFor((e) => e.module === 'transport:ws-a' && e.event === 'auth.failed');
  const onB = await logs.waitFor((e) => e.module === 'transport:ws-b' && e.event === 'auth.failed');
  assert.equal(onA.code, ErrorCode.AUTH_FAILED);
  assert.equal(onB.code, ErrorCode.AUTH_FAILED);
  assert.equal(a.connections().length + b.connections().length, 0);
  // An insecure node is refused by a secured one the same way.
  const c = await startTransport('ws-c', ports.take(), { peers: [addr(pa)], secret: null });
  await logs.waitFor((e) => e.module === 'transport:ws-c' && e.event === 'auth.failed');
  assert.equal(c.connections().length, 0);
});

test('backpressure: send() stops resolving while the receiver does not read', async () => {
  const p = ports.take();
  let link: PeerConnection | undefined;
  await startTransport('bp-a', p, { onConnection: (conn) => (link = conn), pingTimeoutMs: 60_000, pingIntervalMs: 30_000 });
  const raw = await RawPeer.connect(p);
  await raw.authenticate(SECRET, 'bp-raw', chunkerParams('fastcdc'));
  await until(() => link !== undefined, 5_000, 'link');
  raw.ws.pause(); // a receiver that stops reading: TCP buffers fill, then ours
  const frame = chunkReply(256 * 1024);
  let resolved = 0;
  let blocked = false;
  for (let i = 0; i < 400 && !blocked; i++) {
    const sent = link!.send(frame).then(() => resolved++);
    const outcome = await Promise.race([sent.then(() => 'sent'), new Promise((r) => setTimeout(() => r('blocked'), 300))]);
    if (outcome === 'blocked') blocked = true;
    assert.ok((link as WsPeerConnection).unflushedBytes <= SEND_HIGH_WATER_BYTES + MAX_FRAME_BYTES, 'queue stays bounded');
  }
  assert.ok(blocked, `send() never blocked after ${resolved} frames`);
  const before = resolved;
  raw.ws.resume();
  await until(() => resolved === before + 1, 10_000, 'the blocked send to resolve after the receiver resumed');
  raw.close();
});

test('after the handshake: malformed, unexpected and oversized frames close the link with a stable code', async () => {
  const p = ports.take();
  await startTransport('strict-a', p, { onConnection: (conn) => conn.onFrame(() => {}) });
  const cases: Array<[string, (raw: RawPeer) => void, string]> = [
    ['malformed', (raw) => raw.sendBytes(Uint8Array.from([0x0a, 0xff, 0xff])), ErrorCode.PROTO_MALFORMED],
    ['unsafe path', (raw) => raw.sendBytes(encodeFrameUnchecked({ treeRequest: { requestId: 1, path: '../../etc/passwd', digest: new Uint8Array(32), nodes: [new Uint8Array(32)] } })), ErrorCode.PROTO_MALFORMED],
    ['handshake frame again', (raw) => raw.send({ authOk: {} }), ErrorCode.PROTO_UNEXPECTED],
    ['text message', (raw) => raw.ws.send('hello'), ErrorCode.PROTO_MALFORMED],
    ['oversized', (raw) => raw.ws.send(new Uint8Array(MAX_FRAME_BYTES + 1)), ErrorCode.PROTO_TOO_LARGE],
    ['chunk request for too many bytes', (raw) => raw.sendBytes(encodeFrameUnchecked({ chunkRequest: { requestId: 1, wants: tooManyBytes } })), ErrorCode.PROTO_TOO_LARGE],
    ['chunk request of too many wants', (raw) => raw.sendBytes(encodeFrameUnchecked({ chunkRequest: { requestId: 1, wants: tooManyWants } })), ErrorCode.PROTO_TOO_LARGE],
  ];
  const want = (length: number) => ({ path: 'big.bin', digest: new Uint8Array(32), offset: 0, length, hash: new Uint8Array(32) });
  const tooManyBytes = Array.from({ length: MAX_REQUEST_BYTES / MAX_CHUNK_BYTES + 1 }, () => want(MAX_CHUNK_BYTES));
  const tooManyWants = Array.from({ length: MAX_WANTS_PER_REQUEST + 1 }, () => want(1));
  // Before authentication even 64 KiB is refused by ws itself (nothing buffered).
  const stranger = await RawPeer.connect(p);
  stranger.ws.send(new Uint8Array(64 * 1024));
  assert.equal((await stranger.closed).status, 1009, 'pre-auth limit enforced by ws');
  await logs.waitFor((e) => e.module === 'transport:strict-a' && e.event === 'handshake.failed' && e.code === ErrorCode.PROTO_TOO_LARGE && /4096-byte/.test(String(e.reason)));
  let n = 0;
  for (const [name, attack, code] of cases) {
    const raw = await RawPeer.connect(p);
    const id = `strict-raw${n++}`;
    await raw.authenticate(SECRET, id, chunkerParams('fastcdc'));
    attack(raw);
    const closed = await raw.closed;
    const event = await logs.waitFor((e) => e.module === 'transport:strict-a' && e.event === 'peer.disconnected' && e.peer === id);
    assert.equal(event.code, code, name);
    if (name !== 'oversized') {
      assert.equal(closed.reason, code, `${name}: close reason`);
      assert.equal(raw.frames.at(-1)?.error?.code, code, `${name}: Error frame explains it`);
      if (name.startsWith('chunk request')) assert.match(raw.frames.at(-1)!.error!.message, /chunkRequest too large/, `${name}: the limit is named`);
    } else {
      assert.equal(closed.status, 1009, 'ws maxPayload refuses the oversized message');
    }
  }
});

test('a peer that stops answering pings is dropped (ping timeout)', async () => {
  const p = ports.take();
  await startTransport('live-a', p, { pingIntervalMs: 100, pingTimeoutMs: 500 });
  const raw = await RawPeer.connect(p, '/leftsync', { autoPong: false });
  await raw.authenticate(SECRET, 'live-mute', chunkerParams('fastcdc'));
  const event = await logs.waitFor((e) => e.module === 'transport:live-a' && e.event === 'peer.disconnected' && e.peer === 'live-mute');
  assert.equal(event.code, ErrorCode.PEER_TIMEOUT);
  raw.close();
});

test('a restarted peer is linked again (stale link replaced, dialer reconnects)', async () => {
  const pa = ports.take();
  const pb = ports.take();
  const a = await startTransport('rs-a', pa, { peers: [addr(pb)] });
  let b = await startTransport('rs-b', pb);
  await until(() => onlyLink(a) !== undefined && onlyLink(b) !== undefined, 10_000, 'first link');
  const first = (onlyLink(a) as WsPeerConnection).remoteInstance;
  await b.stop();
  await until(() => a.connections().length === 0, 10_000, 'a notices');
  b = await startTransport('rs-b', pb);
  await until(() => onlyLink(a) !== undefined && onlyLink(b) !== undefined, 10_000, 'link back');
  assert.notEqual((onlyLink(a) as WsPeerConnection).remoteInstance, first);
});

test('unauthenticated connections time out (slowloris) and stay apart from real links', async () => {
  const p = ports.take();
  const a = await startTransport('sl-a', p, { handshakeTimeoutMs: 500 });
  const lazy = await RawPeer.connect(p); // opens the WebSocket, never says anything
  const half = await RawPeer.connect(p); // starts the handshake, never proves
  half.send({ authChallenge: { nonce: new Uint8Array(32), peerId: 'sl-half' } });
  const both = await Promise.all([lazy.closed, half.closed]);
  assert.deepEqual(both.map((c) => c.reason), [ErrorCode.HANDSHAKE_TIMEOUT, ErrorCode.HANDSHAKE_TIMEOUT]);
  await logs.waitFor((e) => e.module === 'transport:sl-a' && e.event === 'handshake.failed' && e.code === ErrorCode.HANDSHAKE_TIMEOUT && e.peer === 'sl-half');
  assert.equal(a.connections().length, 0);
  // A WebSocket client is not even needed: a raw (TLS) socket that never upgrades.
  const socket = openSocket(p);
  socket.once('connect', () => socket.write('GET /leftsync HTTP/1.1\r\nHost: x\r\n')); // headers never finished
  await new Promise((resolve) => socket.once('close', resolve));
  const event = await logs.waitFor((e) => e.module === 'transport:sl-a' && e.event === 'handshake.failed' && /no WebSocket upgrade/.test(String(e.reason)));
  assert.equal(event.code, ErrorCode.HANDSHAKE_TIMEOUT);
});
