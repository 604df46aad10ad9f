import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunkerParams } from '../../src/chunker/params.js';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';
import { decodeFrame } from '../../src/protocol/frame.js';
import type { Frame } from '../../src/protocol/messages.js';
import type { PeerConnection } from '../../src/transport/connection.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { sendOnFreshSocket } from '../helpers/raw-socket.js';
import { fuzzFrames } from '../protocol/fuzz-frames.js';
import { SECRET, captureLogsUntilStopped, onlyLink, startTransport, until } from './in-process.js';
import { PortRange } from '../helpers/ports.js';

const ports = new PortRange(23200, 23299);
const LIVE_FUZZ_COUNT = Number(process.env.LIVE_FUZZ_COUNT ?? 20_000);
const WORKERS = 12;
const REJECT_CODES = new Set<string>([ErrorCode.PROTO_MALFORMED, ErrorCode.PROTO_TOO_LARGE, ErrorCode.PROTO_UNEXPECTED]);

const logs = captureLogsUntilStopped();

/** Fuzz frames the decoder rejects: every one of them must also be rejected by a live peer. */
function rejectedFrames(seed: number, count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const bytes of fuzzFrames(seed, count * 2)) {
    try {
      decodeFrame(bytes);
    } catch (err) {
      if (err instanceof LeftsyncError) out.push(bytes);
    }
    if (out.length === count) break;
  }
  return out;
}

test(`a live peer rejects ${LIVE_FUZZ_COUNT} hostile frames and keeps serving its real peer`, async () => {
  const frames = rejectedFrames(0xf022, LIVE_FUZZ_COUNT);
  assert.equal(frames.length, LIVE_FUZZ_COUNT);
  const pa = ports.take();
  const received: Frame[] = [];
  // About the frame decoder, not TLS: plain ws keeps 20,000 fresh connections
  // cheap, and the per-address limits are lifted (every socket comes from
  // 127.0.0.1 and is hostile on purpose; admission.test.ts covers the limits).
  const a = await startTransport('fuzz-a', pa, {
    tls: null,
    admission: { freeFailures: Infinity, maxPendingPerAddress: 64, maxPending: 64 },
    handshakeTimeoutMs: 5_000,
    onConnection: (conn: PeerConnection) => conn.onFrame((frame) => received.push(frame)),
  });
  const b = await startTransport('fuzz-b', ports.take(), { peers: [{ host: '127.0.0.1', port: pa }], tls: null });
  await until(() => a.connections().some((c) => c.peerId === 'fuzz-b') && onlyLink(b) !== undefined, 10_000, 'real link');
  const realLink = onlyLink(b)!;

  // Most go in as the first message of an unauthenticated connection (cheap raw
  // sockets); every tenth after a full handshake, where the peer also explains
  // with an Error frame before closing.
  let next = 0;
  let rejected = 0;
  const chunker = chunkerParams('fastcdc');
  const worker = async (w: number): Promise<void> => {
    for (let i = next++; i < frames.length; i = next++) {
      const what = `frame ${i} (${Buffer.from(frames[i].subarray(0, 24)).toString('hex')})`;
      if (i % 10 === 0) {
        const raw = await RawPeer.connect(pa, '/leftsync', { tls: false });
        await raw.authenticate(SECRET, `fuzz-raw-${w}-${i}`, chunker);
        raw.sendBytes(frames[i]);
        const closed = await raw.closed;
        assert.ok(REJECT_CODES.has(closed.reason) || closed.status === 1009, `${what}: closed with ${closed.status} ${closed.reason}`);
        assert.ok(raw.frames.length === 3 || closed.status === 1009 || raw.frames.at(-1)?.error, `${what}: nothing but an Error frame after Hello`);
      } else {
        const outcome = await sendOnFreshSocket(pa, frames[i], 10_000, false);
        assert.equal(outcome.httpStatus, 101, what);
        assert.ok(REJECT_CODES.has(outcome.closeReason) || outcome.closeStatus === 1009, `${what}: closed with ${outcome.closeStatus} ${outcome.closeReason}`);
      }
      rejected++;
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
  assert.equal(rejected, LIVE_FUZZ_COUNT);

  // The real link never dropped and still carries frames.
  const drops = logs.events.filter((e) => e.event === 'peer.disconnected' && (e.peer === 'fuzz-a' || e.peer === 'fuzz-b'));
  assert.ok(!realLink.closed, `the real link survived: ${JSON.stringify(drops)}`);
  assert.equal(onlyLink(b), realLink);
  assert.ok(!logs.of('fuzz-a').some((e) => e.event === 'peer.disconnected' && e.peer === 'fuzz-b'));
  await realLink.send({ indexRequest: { indexId: 'after-fuzz', since: 1 } });
  await until(() => received.some((f) => f.indexRequest?.indexId === 'after-fuzz'), 5_000, 'frame after fuzzing');
});
