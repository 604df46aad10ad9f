/**
 * Issue 8 at the transport: a relay that terminates TLS cannot authenticate,
 * peers that disagree on TLS say so once each, floods of strangers neither
 * flood the log nor lock a real peer out, and a peer that breaks the protocol
 * right after authenticating is redialed with a growing delay.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpsServer } from 'node:https';
import { connect as connectTcp, createServer as createTcpServer, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { connect as connectTls, createServer as createTlsServer } from 'node:tls';
import { WebSocketServer } from 'ws';
import { chunkerParams } from '../../src/chunker/params.js';
import { ErrorCode } from '../../src/errors.js';
import { PROTOCOL_VERSION } from '../../src/protocol/messages.js';
import { channelBinding, type ExportingSocket } from '../../src/transport/auth.js';
import { createTlsIdentity } from '../../src/transport/certificate.js';
import { FrameChannel } from '../../src/transport/frame-channel.js';
import { listenerHandshake } from '../../src/transport/handshake.js';
import { buildHello } from '../../src/transport/hello.js';
import { PortRange } from '../helpers/ports.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { SECRET, captureLogsUntilStopped, onlyLink, startTransport, until } from './in-process.js';

const ports = new PortRange(23300, 23399);
const addr = (port: number) => ({ host: '127.0.0.1', port });
const closers: Array<() => void> = [];
// Registered first, so it runs before the transports are stopped.
after(() => {
  for (const close of closers.splice(0)) close();
});
const logs = captureLogsUntilStopped();

/** Lines a user sees at the default level. */
const visible = (peerId: string) => logs.of(peerId).filter((e) => e.level !== 'debug');

test('a relay that terminates TLS toward each side fails authentication on both sides; a byte-forwarding one does not', async () => {
  const pa = ports.take();
  const a = await startTransport('relay-a', pa);
  // The man in the middle: its own certificate toward B, its own TLS session toward A, WebSocket bytes forwarded.
  const relayIdentity = createTlsIdentity('relay');
  const relay = createTlsServer({ key: relayIdentity.key, cert: relayIdentity.cert }, (fromB) => {
    const toA = connectTls({ port: pa, host: '127.0.0.1', rejectUnauthorized: false });
    fromB.pipe(toA).pipe(fromB);
    fromB.on('error', () => toA.destroy());
    toA.on('error', () => fromB.destroy());
  });
  const pr = ports.take();
  await new Promise<void>((resolve) => relay.listen(pr, '127.0.0.1', resolve));
  closers.push(() => relay.close());
  const b = await startTransport('relay-b', ports.take(), { peers: [addr(pr)] });
  const onB = await logs.waitFor((e) => e.module === 'transport:relay-b' && e.event === 'auth.failed');
  const onA = await logs.waitFor((e) => e.module === 'transport:relay-a' && e.event === 'auth.failed');
  assert.equal(onB.code, ErrorCode.AUTH_FAILED);
  assert.equal(onA.code, ErrorCode.AUTH_FAILED);
  assert.equal(onA.peer, 'relay-b', 'the relay did forward the handshake');
  assert.match(String(onB.reason), /relay/);
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(a.connections().length + b.connections().length, 0, 'nothing links, so nothing syncs');

  // Control: a relay that only forwards TCP leaves the TLS session end to end, and the peers link.
  const pt = ports.take();
  const tcpRelay = createTcpServer((fromC) => {
    const toA = connectTcp(pa, '127.0.0.1');
    fromC.pipe(toA).pipe(fromC);
    fromC.on('error', () => toA.destroy());
    toA.on('error', () => fromC.destroy());
  });
  await new Promise<void>((resolve) => tcpRelay.listen(pt, '127.0.0.1', resolve));
  closers.push(() => tcpRelay.close());
  const c = await startTransport('relay-c', ports.take(), { peers: [addr(pt)] });
  await until(() => onlyLink(c)?.peerId === 'relay-a', 10_000, 'link through the TCP relay');
});

test('a TLS peer and a --no-tls peer refuse each other with one tls.mismatch line on each side', async () => {
  const pa = ports.take();
  const pb = ports.take();
  const a = await startTransport('mix-a', pa);
  const b = await startTransport('mix-b', pb, { peers: [addr(pa)], tls: null });
  a.addPeer(addr(pb)); // both dial: each side is dialer and listener once
  const onA = await logs.waitFor((e) => e.module === 'transport:mix-a' && e.event === 'tls.mismatch');
  const onB = await logs.waitFor((e) => e.module === 'transport:mix-b' && e.event === 'tls.mismatch');
  assert.equal(onA.code, ErrorCode.TLS_MISMATCH);
  assert.equal(onB.code, ErrorCode.TLS_MISMATCH);
  assert.match(String(onA.reason), /--no-tls/);
  assert.match(String(onB.reason), /--no-tls/);
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // several redials each way
  for (const id of ['mix-a', 'mix-b']) {
    assert.equal(visible(id).filter((e) => e.event === 'tls.mismatch').length, 1, `${id}: one line`);
    const other = visible(id).filter((e) => e.event === 'dial.failed' || e.event === 'handshake.failed');
    assert.deepEqual(other, [], `${id}: nothing but the mismatch`);
  }
  assert.equal(a.connections().length + b.connections().length, 0);
});

test('2,000 wrong-secret attempts from one address: a bounded number of log lines, and a real peer still links', async () => {
  const pa = ports.take();
  const a = await startTransport('flood-a', pa, { handshakeTimeoutMs: 2_000 });
  const chunker = chunkerParams('fastcdc');
  let attempts = 0;
  let answered = 0;
  let stop = false;
  const ATTEMPTS = 2_000;
  // The attacker comes from 127.0.0.2 (loopback too), the real peer from 127.0.0.1.
  const attacker = async (): Promise<void> => {
    while (!stop && attempts < ATTEMPTS) {
      const i = attempts++;
      try {
        const raw = await RawPeer.connect(pa, '/leftsync', { localAddress: '127.0.0.2', handshakeTimeout: 2_000 });
        raw.send({ authChallenge: { nonce: new Uint8Array(32).fill(i & 0xff), peerId: `flood-${i}` } });
        await raw.frame(0, 2_000);
        answered++;
        raw.send({ authProof: { mac: new Uint8Array(32) } });
        await raw.closed;
      } catch {
        // refused at accept (backoff): exactly what should happen
      }
    }
  };
  const flood = Promise.all(Array.from({ length: 8 }, () => attacker()));
  await until(() => attempts >= 200, 30_000, 'the flood under way');
  const b = await startTransport('flood-b', ports.take(), { peers: [addr(pa)] });
  await until(() => onlyLink(b)?.peerId === 'flood-a', 10_000, 'the real peer links during the flood');
  await flood;
  stop = true;
  assert.equal(attempts, ATTEMPTS);
  const lines = visible('flood-a');
  const failures = lines.filter((e) => e.event === 'auth.failed' || e.event === 'conn.refused' || e.event === 'failures.repeated');
  assert.ok(lines.some((e) => e.event === 'auth.failed' && e.code === ErrorCode.AUTH_FAILED), 'the first failure is logged');
  assert.ok(failures.length <= 6, `failure lines: ${failures.length}: ${JSON.stringify(failures.map((e) => e.event))}`);
  assert.ok(lines.length <= 12, `lines in all: ${lines.length}`);
  assert.ok(answered < ATTEMPTS / 4, `most attempts refused at accept (answered: ${answered})`);
  assert.ok(a.connections().some((c) => c.peerId === 'flood-b'));
});

test('40 idle sockets from one address do not keep a real peer from the same address out', async () => {
  const pa = ports.take();
  // A handshake timeout far beyond the wait below: the idle sockets do not time out first.
  const a = await startTransport('idle-a', pa, { handshakeTimeoutMs: 60_000 });
  const idle: Socket[] = [];
  let closedByA = 0;
  for (let i = 0; i < 40; i++) {
    const socket = connectTcp(pa, '127.0.0.1');
    socket.on('error', () => {});
    socket.once('close', () => closedByA++);
    idle.push(socket);
    await new Promise((resolve) => socket.once('connect', resolve));
  }
  closers.push(() => idle.forEach((s) => s.destroy()));
  const b = await startTransport('idle-b', ports.take(), { peers: [addr(pa)], handshakeTimeoutMs: 5_000 });
  await until(() => onlyLink(b)?.peerId === 'idle-a', 10_000, 'the real peer links');
  // B counts the link once its side of the handshake is done; A registers it a moment later (one CI run saw B first).
  await until(() => a.connections().some((c) => c.peerId === 'idle-b'), 10_000, 'A holds the link to B');
  assert.ok(closedByA >= 32, `the oldest idle sockets were evicted (${closedByA})`);
  const evicted = visible('idle-a').filter((e) => e.event === 'conn.evicted');
  assert.equal(evicted.length, 1, 'one line for the evictions from that address');
  assert.equal(evicted[0].code, ErrorCode.TOO_MANY_CONNECTIONS);
});

test('a peer that sends a malformed frame right after authenticating is redialed with a growing delay', async () => {
  const identity = createTlsIdentity('broken');
  const server = createHttpsServer({ key: identity.key, cert: identity.cert });
  const wss = new WebSocketServer({ server, path: '/leftsync' });
  let accepted = 0;
  const ctx = {
    localId: 'broken-peer',
    key: SECRET,
    localHello: buildHello('broken-peer', { protocolVersion: PROTOCOL_VERSION, chunker: chunkerParams('fastcdc'), capabilities: [], clientVersion: 'broken', instanceId: 'broken-1' }),
  };
  wss.on('connection', (ws, req) => {
    accepted++;
    const channel = new FrameChannel(ws, 'dialer');
    listenerHandshake(channel, ctx, {}, channelBinding(req.socket as ExportingSocket)).then(
      () => ws.send(Uint8Array.from([0x0a, 0xff, 0xff])), // undecodable: the dialer closes with LS_PROTO_MALFORMED
      () => {},
    );
  });
  const pb = ports.take();
  await new Promise<void>((resolve) => server.listen(pb, '127.0.0.1', resolve));
  closers.push(() => server.close());
  await startTransport('redial-a', ports.take(), { peers: [addr(pb)], reconnectMaxMs: 2_000 });
  const malformed = await logs.waitFor((e) => e.module === 'transport:redial-a' && e.event === 'peer.disconnected' && e.peer === 'broken-peer');
  assert.equal(malformed.code, ErrorCode.PROTO_MALFORMED);
  const from = accepted;
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const redials = accepted - from;
  // Growing from 100 ms and capped at 2 s, 3 s hold about 5; resetting after each link would be ~30.
  assert.ok(redials >= 1 && redials <= 10, `redials in 3 s: ${redials}`);
});
