/**
 * Deterministic generator of hostile frames for the fuzz tests: random bytes,
 * mutations of the valid sample frames (bit flips, truncation, insertion,
 * splices, varint bombs), and well-formed protobuf that breaks leftsync's rules.
 */
import { encodeFrameUnchecked } from '../../src/protocol/frame.js';
import { SAMPLE_FRAMES } from '../../fixtures/protocol/samples.js';
import { encodeFrame } from '../../src/protocol/frame.js';

/** mulberry32: small seeded PRNG so a failing case can be reproduced from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALID = Object.values(SAMPLE_FRAMES).map((frame) => encodeFrame(frame));

function randomBytes(rand: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)];
}

function mutate(rand: () => number, source: Uint8Array): Uint8Array {
  const bytes = Uint8Array.from(source);
  switch (Math.floor(rand() * 6)) {
    case 0: { // flip a few bits
      const flips = 1 + Math.floor(rand() * 4);
      for (let i = 0; i < flips && bytes.length > 0; i++) bytes[Math.floor(rand() * bytes.length)] ^= 1 << Math.floor(rand() * 8);
      return bytes;
    }
    case 1: // truncate
      return bytes.subarray(0, Math.floor(rand() * bytes.length));
    case 2: { // insert random bytes
      const at = Math.floor(rand() * (bytes.length + 1));
      const extra = randomBytes(rand, 1 + Math.floor(rand() * 16));
      return Uint8Array.from([...bytes.subarray(0, at), ...extra, ...bytes.subarray(at)]);
    }
    case 3: { // splice two valid frames (two bodies, or a body cut in the middle)
      const other = pick(rand, VALID);
      return Uint8Array.from([...bytes.subarray(0, Math.floor(rand() * (bytes.length + 1))), ...other]);
    }
    case 4: { // overwrite a byte with a varint continuation or a huge length
      if (bytes.length > 1) bytes[1 + Math.floor(rand() * (bytes.length - 1))] = pick(rand, [0x80, 0xff, 0x7f, 0x00]);
      return bytes;
    }
    default: { // replace a run with random bytes
      const at = Math.floor(rand() * bytes.length);
      bytes.set(randomBytes(rand, Math.min(8, bytes.length - at)), at);
      return bytes;
    }
  }
}

const zeros = (n: number): Uint8Array<ArrayBuffer> => new Uint8Array(n);

/** Protobuf that decodes but breaks a leftsync rule: each must be rejected. */
export function ruleBreakers(): Array<{ name: string; bytes: Uint8Array }> {
  const entry = SAMPLE_FRAMES.index.index!.entries[0];
  const withPath = (path: string) => encodeFrameUnchecked({ indexUpdate: { indexId: 'x', entries: [{ ...entry, path }] } });
  const want = { path: 'a', digest: zeros(32), offset: 0, length: 1, hash: zeros(32) };
  const withWant = (bad: Partial<typeof want>) => encodeFrameUnchecked({ chunkRequest: { requestId: 1, wants: [want, { ...want, ...bad }] } });
  return [
    { name: 'empty frame', bytes: new Uint8Array(0) },
    { name: 'two bodies', bytes: Uint8Array.from([...VALID[0], ...VALID[4]]) },
    { name: 'short nonce', bytes: encodeFrameUnchecked({ authChallenge: { nonce: zeros(31), peerId: 'abc' } }) },
    { name: 'bad peer id', bytes: encodeFrameUnchecked({ authChallenge: { nonce: zeros(32), peerId: 'a b' } }) },
    { name: 'short mac', bytes: encodeFrameUnchecked({ authProof: { mac: zeros(16) } }) },
    { name: 'absolute path', bytes: withPath('/etc/passwd') },
    { name: 'dot-dot path', bytes: withPath('a/../../b') },
    { name: 'NUL in path', bytes: withPath('a\0b') },
    { name: 'empty path', bytes: withPath('') },
    { name: 'trailing slash', bytes: withPath('a/') },
    { name: 'overlong path', bytes: withPath('a/'.repeat(2100) + 'b') },
    { name: 'hash of 31 bytes', bytes: withWant({ hash: zeros(31) }) },
    { name: 'chunk too long', bytes: withWant({ length: 300_000 }) },
    { name: 'want with a bad path', bytes: withWant({ path: 'a/../../b' }) },
    { name: 'chunk request without wants', bytes: encodeFrameUnchecked({ chunkRequest: { requestId: 1, wants: [] } }) },
    { name: 'hello without chunker', bytes: encodeFrameUnchecked({ hello: { protocolVersion: 1, peerId: 'a', capabilities: [], clientVersion: '', instanceId: '' } }) },
    { name: 'bad error code', bytes: encodeFrameUnchecked({ error: { code: 'lower case', message: '', requestId: 0 } }) },
    { name: 'nested groups', bytes: new Uint8Array(200_000).fill(0x0b) },
    { name: 'unknown enum', bytes: Uint8Array.from([0x42, 0x07, 0x12, 0x05, 0x0a, 0x01, 0x61, 0x10, 0x09]) },
    { name: 'too many nodes', bytes: encodeFrameUnchecked({ treeReply: { requestId: 1, errorCode: '', nodes: Array.from({ length: 100_001 }, () => new Uint8Array(0)) } }) },
  ];
}

/**
 * `count` hostile frames from `seed`: about a third random bytes, the rest
 * mutations of valid frames, plus every rule breaker.
 */
export function* fuzzFrames(seed: number, count: number): Generator<Uint8Array> {
  const rand = prng(seed);
  for (const { bytes } of ruleBreakers()) yield bytes;
  for (let i = 0; i < count; i++) {
    if (rand() < 0.33) yield randomBytes(rand, Math.floor(rand() * 300));
    else yield mutate(rand, pick(rand, VALID));
  }
}
