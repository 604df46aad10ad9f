/**
 * The handshake's cryptography: fresh nonces and HMAC-SHA-256 proofs keyed by
 * the pre-shared secret. A proof covers the role, both nonces and both peer ids,
 * so it cannot be replayed on another connection (the other side's nonce is
 * fresh), reflected to the other role, or reused for another peer id.
 *
 * Insecure mode (no secret, --insecure): the same handshake runs with an empty
 * key. It authenticates nothing, but keeps one code path, still detects self
 * connections and duplicates, and a secured peer refuses an insecure one
 * (their keys differ).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { MAC_BYTES, NONCE_BYTES } from '../protocol/limits.js';

export type Role = 'dialer' | 'listener';

export interface HandshakeTranscript {
  dialerNonce: Uint8Array;
  listenerNonce: Uint8Array;
  dialerId: string;
  listenerId: string;
}

const DOMAIN = 'leftsync-auth-v1';
const EMPTY_KEY = Buffer.alloc(0);

/** Copies into a plain ArrayBuffer-backed array, the type the generated messages use. */
function owned(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

export function newNonce(): Uint8Array<ArrayBuffer> {
  return owned(randomBytes(NONCE_BYTES));
}

/** The HMAC key: the secret, or the empty key in insecure mode. */
export function handshakeKey(secret: Buffer | null): Buffer {
  return secret ?? EMPTY_KEY;
}

function lengthPrefixed(bytes: Uint8Array): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(bytes.length);
  return Buffer.concat([prefix, bytes]);
}

export function computeMac(key: Buffer, role: Role, t: HandshakeTranscript): Uint8Array<ArrayBuffer> {
  const hmac = createHmac('sha256', key);
  hmac.update(lengthPrefixed(Buffer.from(`${DOMAIN} ${role}`)));
  hmac.update(lengthPrefixed(t.dialerNonce));
  hmac.update(lengthPrefixed(t.listenerNonce));
  hmac.update(lengthPrefixed(Buffer.from(t.dialerId)));
  hmac.update(lengthPrefixed(Buffer.from(t.listenerId)));
  return owned(hmac.digest());
}

export function verifyMac(key: Buffer, role: Role, t: HandshakeTranscript, mac: Uint8Array): boolean {
  if (mac.length !== MAC_BYTES) return false;
  return timingSafeEqual(computeMac(key, role, t), mac);
}
