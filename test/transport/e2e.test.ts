/**
 * End to end with real leftsync processes on 127.0.0.1: linking, liveness,
 * restart, and every attack of issue 3, each rejected while the attacked peer
 * keeps its real link.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, test } from 'node:test';
import { chunkerParams } from '../../src/chunker/params.js';
import { ErrorCode } from '../../src/errors.js';
import { MAX_FRAME_BYTES } from '../../src/protocol/limits.js';
import { LogEvent, NodeProcess, cleanupNodes, removeTempDirs, startNode, tempDir } from '../helpers/node-process.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { openSocket, sendOnFreshSocket } from '../helpers/raw-socket.js';
import { PortRange } from '../helpers/ports.js';

const ports = new PortRange(23500, 23799);
const SECRET = 'e2e shared secret';
const TIMING = ['--ping-interval', '200', '--ping-timeout', '1500', '--reconnect-max', '500', '--handshake-timeout', '1500'];

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

function node(port: number, peers: number[], extra: string[] = ['--secret', SECRET]): NodeProcess {
  const ip = peers.map((p) => `127.0.0.1:${p}`).join(',');
  return startNode(`${tempDir()}/share`, ['--port', String(port), ...(ip ? ['--ip', ip] : []), ...TIMING, ...extra]);
}

async function peerIdOf(n: NodeProcess): Promise<string> {
  return String((await n.waitForEvent('node.started')).peer);
}

/** The link currently up to `peer` according to the log: last connected, not disconnected since. */
function liveLink(events: LogEvent[], peer: string): string | undefined {
  let live: string | undefined;
  for (const e of events) {
    if (e.peer !== peer) continue;
    if (e.event === 'peer.connected') live = String(e.link);
    if (e.event === 'peer.disconnected' && String(e.link) === live) live = undefined;
  }
  return live;
}

test('two processes link, authenticate and agree on one link; SIGKILL, restart, SIGSTOP', async () => {
  const pa = ports.take();
  const pb = ports.take();
  // Started together, each dialing the other: a simultaneous dial.
  const a = node(pa, [pb]);
  const b = node(pb, [pa]);
  const [idA, idB] = await Promise.all([peerIdOf(a), peerIdOf(b)]);
  await a.waitForEvent('peer.connected', { peer: idB });
  await b.waitForEvent('peer.connected', { peer: idA });
  // Two links may both complete (a true simultaneous dial); the tie-break then
  // closes one on both sides. Wait until the logs are quiet, then compare.
  const dump = () => JSON.stringify([a.events, b.events].map((evs) => evs.filter((e) => /^(peer|link)\./.test(e.event))));
  const quietSince = (): number => Math.max(...[...a.events, ...b.events].filter((e) => /^(peer|link)\./.test(e.event)).map((e) => Date.parse(String(e.time))));
  const deadline = Date.now() + 15_000;
  while (Date.now() - quietSince() < 1_000) {
    assert.ok(Date.now() < deadline, `links never settled: ${dump()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const linkOnA = liveLink(a.events, idB);
  assert.ok(linkOnA !== undefined, `a link is up on A: ${dump()}`);
  assert.equal(liveLink(b.events, idA), linkOnA, `the same link is kept on both sides: ${dump()}`);

  // SIGKILL B: A notices (the kernel resets the socket; at worst the ping timeout).
  let mark = a.mark();
  await b.kill('SIGKILL');
  const gone = await a.waitForEvent('peer.disconnected', { peer: idB }, 10_000, mark);
  assert.equal(gone.link, linkOnA);

  // Restart B with its state folder: same peer id, linked and authenticated again.
  mark = a.mark();
  b.spawn();
  assert.equal(await peerIdOf(b), idB, 'the peer id survives a restart');
  await a.waitForEvent('peer.connected', { peer: idB }, 10_000, mark);
  await b.waitForEvent('peer.connected', { peer: idA }, 10_000);

  // SIGSTOP B: its socket stays open but it answers nothing; A drops it on ping timeout.
  mark = a.mark();
  await b.kill('SIGSTOP');
  const silent = await a.waitForEvent('peer.disconnected', { peer: idB }, 15_000, mark);
  assert.equal(silent.code, ErrorCode.PEER_TIMEOUT);
  mark = a.mark();
  await b.kill('SIGCONT');
  await a.waitForEvent('peer.connected', { peer: idB }, 15_000, mark);
});

test('no secret: refuses to start with a clear message; --insecure starts and warns', async () => {
  const refused = startNode(`${tempDir()}/share`, ['--port', String(ports.take())], { env: { LEFTSYNC_SECRET: undefined } });
  const { code } = await refused.exit;
  assert.equal(code, 2);
  assert.match(refused.textLines.join('\n'), /^leftsync: no secret configured: use --secret-file FILE, LEFTSYNC_SECRET or --secret/m);

  const open = startNode(`${tempDir()}/share`, ['--port', String(ports.take()), '--insecure'], { env: { LEFTSYNC_SECRET: undefined } });
  const warning = await open.waitForEvent('insecure');
  assert.equal(warning.level, 'warn');
  assert.match(String(warning.msg), /anyone who can reach port \d+ can read and write/);
  await open.kill();

  // The secret from the environment works like --secret.
  const fromEnv = startNode(`${tempDir()}/share`, ['--port', String(ports.take())], { env: { LEFTSYNC_SECRET: SECRET } });
  await fromEnv.waitForEvent('node.started');
  await fromEnv.kill();
});

test('attacks are each rejected while the peer keeps serving its real peer', async () => {
  const pa = ports.take();
  const pc = ports.take();
  const a = node(pa, [], ['--secret', SECRET, '--verbose']);
  const c = node(pc, [pa]);
  const [idA, idC] = await Promise.all([peerIdOf(a), peerIdOf(c)]);
  await a.waitForEvent('peer.connected', { peer: idC });
  const realLink = liveLink(a.events, idC);
  const start = a.mark();
  const chunker = chunkerParams('fastcdc');

  // 1. Wrong secret: one clear line on each side, never linked.
  const w = node(ports.take(), [pa], ['--secret', 'not the secret']);
  const idW = await peerIdOf(w);
  const onA = await a.waitForEvent('auth.failed', { peer: idW }, 10_000, start);
  const onW = await w.waitForEvent('auth.failed', {}, 10_000);
  assert.equal(onA.code, ErrorCode.AUTH_FAILED);
  assert.equal(onW.code, ErrorCode.AUTH_FAILED);
  await w.kill();
  assert.ok(!a.events.some((e) => e.event === 'peer.connected' && e.peer === idW));

  // 2. Replayed handshake: record a genuine one, replay it on a new connection.
  const genuine = await RawPeer.connect(pa);
  await genuine.authenticate(Buffer.from(SECRET), 'recorder', chunker);
  const [challenge, proof] = genuine.sent;
  genuine.close();
  const replay = await RawPeer.connect(pa);
  replay.sendBytes(challenge);
  await replay.frame(0); // a fresh AuthResponse: new listener nonce
  replay.sendBytes(proof);
  assert.equal((await replay.closed).reason, ErrorCode.AUTH_FAILED);
  const replayed = await a.waitForLog((e) => e.event === 'auth.failed' && e.peer === 'recorder', 10_000, start);
  assert.match(String(replayed.reason), /replayed/);
  assert.equal(replay.frames.length, 1, 'nothing after the failed proof');

  // 3. Garbage before the handshake: a broken TLS hello, TLS carrying something
  // that is not HTTP, then a WebSocket with junk. Repeats from one address are
  // logged at debug (A runs with --verbose so the test sees each).
  const junk = connect(pa, '127.0.0.1');
  junk.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 0xff, 0x00, 0x00, 0x00])); // a TLS record holding no valid handshake message
  junk.resume(); // read the TLS alert, so the close is seen
  await new Promise((resolve) => junk.once('close', resolve));
  await a.waitForLog((e) => e.event === 'handshake.failed' && e.code === ErrorCode.TLS_FAILED && /TLS handshake failed/.test(String(e.reason)), 10_000, start);
  const notHttp = openSocket(pa);
  notHttp.once('connect', () => notHttp.write('this is not http\r\n\r\n'));
  await new Promise((resolve) => notHttp.once('close', resolve));
  await a.waitForLog((e) => e.event === 'handshake.failed' && /not a leftsync WebSocket request/.test(String(e.reason)), 10_000, start);
  const junkFrame = await sendOnFreshSocket(pa, Buffer.from('GARBAGE GARBAGE GARBAGE'));
  assert.equal(junkFrame.closeReason, ErrorCode.PROTO_MALFORMED);
  await a.waitForLog((e) => e.event === 'handshake.failed' && e.code === ErrorCode.PROTO_MALFORMED && e.direction === 'in' && /undecodable/.test(String(e.reason)), 10_000, start);

  // 4. Oversized frames: before the handshake (ws maxPayload) and after it.
  const big = await sendOnFreshSocket(pa, new Uint8Array(MAX_FRAME_BYTES + 1));
  assert.equal(big.closeStatus, 1009);
  await a.waitForLog((e) => e.event === 'handshake.failed' && e.code === ErrorCode.PROTO_TOO_LARGE, 10_000, start);
  const insider = await RawPeer.connect(pa);
  await insider.authenticate(Buffer.from(SECRET), 'insider', chunker);
  insider.ws.send(new Uint8Array(MAX_FRAME_BYTES + 1));
  assert.equal((await insider.closed).status, 1009);
  await a.waitForEvent('peer.disconnected', { peer: 'insider', code: ErrorCode.PROTO_TOO_LARGE }, 10_000, start);

  // 5. Slowloris: a WebSocket that never speaks, a handshake never finished, HTTP headers never finished.
  const mute = await RawPeer.connect(pa);
  const half = await RawPeer.connect(pa);
  half.send({ authChallenge: { nonce: new Uint8Array(32).fill(7), peerId: 'half-open' } });
  const trickle = openSocket(pa);
  trickle.once('connect', () => trickle.write('GET /leftsync HTTP/1.1\r\nHost: x\r\n'));
  const trickleClosed = new Promise((resolve) => trickle.once('close', resolve));
  assert.equal((await mute.closed).reason, ErrorCode.HANDSHAKE_TIMEOUT);
  assert.equal((await half.closed).reason, ErrorCode.HANDSHAKE_TIMEOUT);
  await trickleClosed;
  await a.waitForLog((e) => e.event === 'handshake.failed' && e.code === ErrorCode.HANDSHAKE_TIMEOUT && e.peer === 'half-open', 10_000, start);

  // Through all of it, the real link never dropped, and A still accepts a legitimate peer.
  assert.ok(!a.events.slice(start).some((e) => e.event === 'peer.disconnected' && e.peer === idC), 'real link kept');
  assert.equal(liveLink(a.events, idC), realLink);
  assert.equal(liveLink(c.events, idA), realLink);
  const fresh = await RawPeer.connect(pa);
  assert.equal(await fresh.authenticate(Buffer.from(SECRET), 'latecomer', chunker), idA);
  fresh.close();
  assert.ok(a.running && c.running, 'no crash');
});
