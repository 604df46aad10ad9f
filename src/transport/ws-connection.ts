/**
 * A PeerConnection over an authenticated FrameChannel: what the sync engine
 * gets for each live link. Handshake frames are not allowed any more; liveness
 * runs for the link's whole life.
 */
import { ErrorCode } from '../errors.js';
import type { Frame, Hello } from '../protocol/messages.js';
import type { LinkHealth, PeerConnection } from './connection.js';
import type { CloseInfo, FrameChannel } from './frame-channel.js';
import type { HandshakeResult } from './handshake.js';
import { watchLiveness } from './liveness.js';

export type Direction = 'in' | 'out';

const HANDSHAKE_KINDS = ['authChallenge', 'authResponse', 'authProof', 'authOk', 'hello'] as const;

export interface LinkTiming {
  pingIntervalMs: number;
  pingTimeoutMs: number;
}

export class WsPeerConnection implements PeerConnection {
  readonly peerId: string;
  readonly remoteHello: Hello;
  /** Who dialed this link. */
  readonly dialerId: string;
  /** Short name of this link, the same on both sides (from the dialer's nonce). */
  readonly linkId: string;
  readonly dialerNonceHex: string;
  readonly health: LinkHealth = { lastSeenMs: Date.now(), rttMs: null };

  constructor(
    private readonly channel: FrameChannel,
    result: HandshakeResult,
    readonly direction: Direction,
    timing: LinkTiming,
  ) {
    this.peerId = result.peerId;
    this.remoteHello = result.remoteHello;
    this.dialerId = result.dialerId;
    this.dialerNonceHex = Buffer.from(result.dialerNonce).toString('hex');
    this.linkId = this.dialerNonceHex.slice(0, 8);
    watchLiveness(channel.ws, {
      intervalMs: timing.pingIntervalMs,
      timeoutMs: timing.pingTimeoutMs,
      onDead: (silentMs) => channel.terminate(ErrorCode.PEER_TIMEOUT, `peer silent for ${silentMs} ms (ping timeout ${timing.pingTimeoutMs} ms)`),
      health: this.health,
    });
  }

  get remoteAddress(): string {
    return this.channel.remoteAddress;
  }

  /** The remote process's instance id (changes when the peer restarts). */
  get remoteInstance(): string {
    return this.remoteHello.instanceId;
  }

  get closed(): boolean {
    return this.channel.closed;
  }

  send(frame: Frame): Promise<void> {
    return this.channel.send(frame);
  }

  pauseReading(): void {
    this.channel.pauseReading();
  }

  resumeReading(): void {
    this.channel.resumeReading();
  }

  onFrame(handler: (frame: Frame) => void): void {
    this.channel.setHandler((frame) => {
      const late = HANDSHAKE_KINDS.find((kind) => frame[kind] != null);
      if (late) {
        this.channel.close(ErrorCode.PROTO_UNEXPECTED, `${late} frame after the handshake`, true);
        return;
      }
      handler(frame);
    });
  }

  onClose(handler: (reason: string) => void): void {
    this.channel.onClose((info) => handler(`${info.code}: ${info.message}`));
  }

  /** Like onClose, with the structured reason (the transport logs it). */
  onCloseInfo(handler: (info: CloseInfo) => void): void {
    this.channel.onClose(handler);
  }

  close(reason = 'closed locally'): void {
    this.channel.close(ErrorCode.CONNECTION_CLOSED, reason);
  }

  /** Closes with a specific code; `tellPeer` sends an Error frame first. */
  closeWith(code: ErrorCode, message: string, tellPeer = false): void {
    this.channel.close(code, message, tellPeer);
  }

  /** Bytes queued but not yet flushed to the socket. */
  get unflushedBytes(): number {
    return this.channel.unflushedBytes;
  }
}
