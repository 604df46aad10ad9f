/**
 * The handshake on a fresh channel, one function per role:
 *   dialer -> AuthChallenge{nonce_d, id_d}
 *   listener -> AuthResponse{nonce_l, id_l, mac(listener)}   dialer verifies
 *   dialer -> AuthProof{mac(dialer)}                          listener verifies
 *   listener -> AuthOk
 *   both -> Hello; each checks the other's (version, chunker parameters)
 * Nothing but these frames is accepted before the end, and each failure throws a
 * LeftsyncError with a stable code. A Hello mismatch is also explained to the
 * peer in an Error frame (it is authenticated by then).
 */
import { ErrorCode, LeftsyncError, isErrorCode } from '../errors.js';
import type { Frame, FrameKind, Hello } from '../protocol/messages.js';
import { computeMac, newNonce, verifyMac, type HandshakeTranscript } from './auth.js';
import type { FrameChannel } from './frame-channel.js';
import { checkHello } from './hello.js';

export interface HandshakeContext {
  localId: string;
  /** HMAC key (see auth.ts handshakeKey). */
  key: Buffer;
  localHello: Hello;
  /**
   * Whether a live link to this peer exists already. The dialer asks once it
   * learns who answered and drops a redundant dial there, before the listener
   * can have completed it, so neither side ever sees the extra link.
   */
  hasLiveLink?: (peerId: string) => boolean;
}

export interface HandshakeResult {
  peerId: string;
  remoteHello: Hello;
  /** Both sides know it: names the link in logs and breaks duplicate ties. */
  dialerNonce: Uint8Array;
  /** The peer id of whoever dialed this link. */
  dialerId: string;
}

/** The peer id the remote side claimed, known before authentication completes (for logs). */
export interface ClaimedId {
  peerId?: string;
}

async function expect<K extends FrameKind>(channel: FrameChannel, kind: K): Promise<NonNullable<Frame[K]>> {
  const frame = await channel.next();
  const body = frame[kind];
  if (body != null) return body as NonNullable<Frame[K]>;
  if (frame.error) {
    const code = isErrorCode(frame.error.code) ? frame.error.code : ErrorCode.PROTO_UNEXPECTED;
    throw new LeftsyncError(code, `peer refused: ${frame.error.message}`);
  }
  const got = Object.keys(frame).find((key) => frame[key as FrameKind] != null);
  throw new LeftsyncError(ErrorCode.PROTO_UNEXPECTED, `expected ${kind} during the handshake, got ${got}`);
}

function refuseSelf(peerId: string, localId: string): void {
  if (peerId === localId) {
    throw new LeftsyncError(ErrorCode.SELF_CONNECTION, `connected to ourselves (peer id ${localId}); drop this address from --ip`);
  }
}

async function exchangeHello(channel: FrameChannel, ctx: HandshakeContext, peerId: string): Promise<Hello> {
  channel.authenticated = true;
  await channel.send({ hello: ctx.localHello });
  const remote = await expect(channel, 'hello');
  try {
    checkHello(ctx.localHello, remote, peerId);
  } catch (err) {
    if (err instanceof LeftsyncError) channel.close(err.code, err.message, true);
    throw err;
  }
  return remote;
}

/** `binding`: channelBinding() of the connection's socket (auth.ts). */
export async function dialerHandshake(channel: FrameChannel, ctx: HandshakeContext, claimed: ClaimedId, binding: Uint8Array): Promise<HandshakeResult> {
  const dialerNonce = newNonce();
  await channel.send({ authChallenge: { nonce: dialerNonce, peerId: ctx.localId } });
  const response = await expect(channel, 'authResponse');
  claimed.peerId = response.peerId;
  refuseSelf(response.peerId, ctx.localId);
  if (ctx.hasLiveLink?.(response.peerId)) {
    throw new LeftsyncError(ErrorCode.DUPLICATE_LINK, `already linked to peer ${response.peerId}; this dial is not needed`);
  }
  const transcript: HandshakeTranscript = {
    dialerNonce,
    listenerNonce: response.nonce,
    dialerId: ctx.localId,
    listenerId: response.peerId,
    channelBinding: binding,
  };
  if (!verifyMac(ctx.key, 'listener', transcript, response.mac)) {
    throw new LeftsyncError(ErrorCode.AUTH_FAILED, "the peer's answer to our challenge did not verify: it does not know our secret, or a relay that terminates TLS sits between us");
  }
  await channel.send({ authProof: { mac: computeMac(ctx.key, 'dialer', transcript) } });
  await expect(channel, 'authOk');
  const remoteHello = await exchangeHello(channel, ctx, response.peerId);
  return { peerId: response.peerId, remoteHello, dialerNonce, dialerId: ctx.localId };
}

export async function listenerHandshake(channel: FrameChannel, ctx: HandshakeContext, claimed: ClaimedId, binding: Uint8Array): Promise<HandshakeResult> {
  const challenge = await expect(channel, 'authChallenge');
  claimed.peerId = challenge.peerId;
  refuseSelf(challenge.peerId, ctx.localId);
  const listenerNonce = newNonce();
  const transcript: HandshakeTranscript = {
    dialerNonce: challenge.nonce,
    listenerNonce,
    dialerId: challenge.peerId,
    listenerId: ctx.localId,
    channelBinding: binding,
  };
  await channel.send({ authResponse: { nonce: listenerNonce, peerId: ctx.localId, mac: computeMac(ctx.key, 'listener', transcript) } });
  const proof = await expect(channel, 'authProof');
  if (!verifyMac(ctx.key, 'dialer', transcript, proof.mac)) {
    throw new LeftsyncError(ErrorCode.AUTH_FAILED, "the peer's proof did not verify: wrong secret, a replayed handshake, or a relay that terminates TLS");
  }
  await channel.send({ authOk: {} });
  const remoteHello = await exchangeHello(channel, ctx, challenge.peerId);
  return { peerId: challenge.peerId, remoteHello, dialerNonce: challenge.nonce, dialerId: challenge.peerId };
}
