import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';
import { parsePeerList } from '../../src/transport/address.js';
import { computeMac, handshakeKey, newNonce, verifyMac, type HandshakeTranscript } from '../../src/transport/auth.js';
import { backoffDelay } from '../../src/transport/backoff.js';
import { checkHello } from '../../src/transport/hello.js';
import { preferredLink } from '../../src/transport/links.js';
import { SAMPLE_FRAMES } from '../../fixtures/protocol/samples.js';

test('--ip parsing: host, host:port, IPv6, lists, errors', () => {
  assert.deepEqual(parsePeerList('192.0.2.11', 27182), [{ host: '192.0.2.11', port: 27182 }]);
  assert.deepEqual(parsePeerList('a:1, b ,a:1,[::1]:9,::1', 5), [
    { host: 'a', port: 1 },
    { host: 'b', port: 5 },
    { host: '::1', port: 9 },
    { host: '::1', port: 5 },
  ]);
  assert.deepEqual(parsePeerList(undefined, 1), []);
  for (const bad of ['a:0', 'a:70000', 'a:x', ':5', 'a b']) {
    assert.throws(() => parsePeerList(bad, 1), (err: unknown) => err instanceof LeftsyncError && err.code === ErrorCode.USAGE, bad);
  }
});

test('handshake MACs bind role, both nonces and both ids', () => {
  const key = Buffer.from('secret');
  const t: HandshakeTranscript = { dialerNonce: newNonce(), listenerNonce: newNonce(), dialerId: 'aaa', listenerId: 'bbb', channelBinding: new Uint8Array(0) };
  const mac = computeMac(key, 'dialer', t);
  assert.ok(verifyMac(key, 'dialer', t, mac));
  assert.ok(!verifyMac(key, 'listener', t, mac), 'reflected to the other role');
  assert.ok(!verifyMac(Buffer.from('other'), 'dialer', t, mac), 'another secret');
  assert.ok(!verifyMac(key, 'dialer', { ...t, listenerNonce: newNonce() }, mac), 'replayed against a fresh nonce');
  assert.ok(!verifyMac(key, 'dialer', { ...t, dialerId: 'ccc' }, mac), 'another peer id');
  assert.ok(!verifyMac(key, 'dialer', t, mac.subarray(0, 31)), 'short mac');
  // A relay terminating TLS holds another TLS session: another channel binding.
  const tls = { ...t, channelBinding: new Uint8Array(32).fill(1) };
  const tlsMac = computeMac(key, 'dialer', tls);
  assert.ok(verifyMac(key, 'dialer', tls, tlsMac));
  assert.ok(!verifyMac(key, 'dialer', { ...tls, channelBinding: new Uint8Array(32).fill(2) }, tlsMac), 'another TLS session');
  assert.ok(!verifyMac(key, 'dialer', t, tlsMac), 'TLS proof on a plain channel');
  // Insecure mode: an empty key, still a working handshake, refused by a keyed peer.
  const open = handshakeKey(null);
  assert.ok(verifyMac(open, 'dialer', t, computeMac(open, 'dialer', t)));
  assert.ok(!verifyMac(key, 'dialer', t, computeMac(open, 'dialer', t)));
});

test('backoff grows exponentially, is capped and jittered', () => {
  assert.equal(backoffDelay(0, 2000, () => 1), 100);
  assert.equal(backoffDelay(0, 2000, () => 0), 50);
  assert.equal(backoffDelay(3, 2000, () => 1), 800);
  assert.equal(backoffDelay(10, 2000, () => 1), 2000);
  assert.equal(backoffDelay(1000, 2000, () => 0), 1000);
  for (let i = 0; i < 100; i++) assert.ok(backoffDelay(i, 2000) <= 2000);
});

test('duplicate links: both sides pick the same one', () => {
  const link = (dialerId: string, nonce: string, remoteInstance = 'i1') => ({ dialerId, dialerNonceHex: nonce, remoteInstance });
  const byA = link('a', '99');
  const byB = link('b', '11');
  // Seen from a (remote b) and from b (remote a), in either arrival order.
  assert.equal(preferredLink('a', 'b', byA, byB), byA);
  assert.equal(preferredLink('a', 'b', byB, byA), byA);
  assert.equal(preferredLink('b', 'a', link('a', '99', 'x'), link('b', '11', 'x')).dialerId, 'a');
  assert.equal(preferredLink('b', 'a', link('b', '11', 'x'), link('a', '99', 'x')).dialerId, 'a');
  // Same dialer twice: the smaller nonce wins, whatever the order.
  const first = link('a', '20');
  const second = link('a', '10');
  assert.equal(preferredLink('a', 'b', first, second), second);
  assert.equal(preferredLink('a', 'b', second, first), second);
  // The peer restarted: the link to its new instance replaces the stale one.
  const stale = link('a', '00', 'old');
  const fresh = link('b', 'ff', 'new');
  assert.equal(preferredLink('a', 'b', stale, fresh), fresh);
});

test('Hello check names both sides on a mismatch', () => {
  const ours = SAMPLE_FRAMES.hello.hello!;
  const id = ours.peerId;
  checkHello(ours, ours, id);
  const code = (fn: () => void): string => {
    try {
      fn();
    } catch (err) {
      return (err as LeftsyncError).code + ' ' + (err as Error).message;
    }
    return 'accepted';
  };
  assert.match(code(() => checkHello(ours, { ...ours, protocolVersion: 2 }, id)), /^LS_PROTO_VERSION .*version 2.*we speak 3/);
  assert.match(code(() => checkHello(ours, { ...ours, protocolVersion: 4 }, id)), /^LS_PROTO_VERSION .*version 4.*we speak 3/);
  assert.match(code(() => checkHello(ours, { ...ours, chunker: { ...ours.chunker!, engine: 'rabin' } }, id)), /^LS_CHUNKER_MISMATCH .*uses rabin.*we use fastcdc/);
  assert.match(code(() => checkHello(ours, ours, 'someone-else')), /^LS_AUTH_FAILED/);
});
