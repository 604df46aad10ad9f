/**
 * The handshake's cryptography: fresh nonces and HMAC-SHA-256 proofs keyed by
 * the pre-shared secret. A proof covers the role, both nonces and both peer ids,
 * so it cannot be replayed on another connection (the other side's nonce is
 * fresh), reflected to the other role, or reused for another peer id.
 *
 * Channel binding (RFC 9266 tls-exporter): with TLS the proofs also cover 32
 * bytes exported from the TLS session, which both ends of one TLS session
 * share and nobody else can compute. A relay that terminates TLS holds two
 * sessions with different exports, so the proofs it forwards do not verify:
 * without the secret it cannot make new ones. Certificates are never checked;
 * this binding is what makes the TLS session the peers' own. With --no-tls
 * the binding is empty.
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
  /** tlsExporter() of this connection, or empty without TLS. */
  channelBinding: Uint8Array;
}

const DOMAIN = 'leftsync-auth-v2';
/** RFC 9266: the exporter label of the tls-exporter channel binding (TLS 1.3). */
export const CHANNEL_BINDING_LABEL = 'EXPORTER-Channel-Binding';
export const CHANNEL_BINDING_BYTES = 32;
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
  hmac.update(lengthPrefixed(t.channelBinding));
  return owned(hmac.digest());
}

export function verifyMac(key: Buffer, role: Role, t: HandshakeTranscript, mac: Uint8Array): boolean {
  if (mac.length !== MAC_BYTES) return false;
  return timingSafeEqual(computeMac(key, role, t), mac);
}

/** The socket's part of channelBinding: what TLSSocket offers (absent on a plain socket). */
export interface ExportingSocket {
  exportKeyingMaterial?(length: number, label: string, context?: Buffer): Buffer;
}

/** The tls-exporter channel binding of a connection's socket; empty for a plain socket. */
export function channelBinding(socket: ExportingSocket | undefined): Uint8Array {
  if (typeof socket?.exportKeyingMaterial !== 'function') return new Uint8Array(0);
  return new Uint8Array(socket.exportKeyingMaterial(CHANNEL_BINDING_BYTES, CHANNEL_BINDING_LABEL, Buffer.alloc(0)));
}
