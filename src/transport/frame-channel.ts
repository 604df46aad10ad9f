/**
 * One WebSocket as a channel of validated frames. Every binary message is
 * decoded and validated; anything else (text, malformed, oversized) closes the
 * channel with a stable code. Frames queue until a consumer takes them: the
 * handshake pulls them with next(), the session then installs a handler.
 * send() applies backpressure: it resolves once the bytes not yet flushed to
 * the socket are below SEND_HIGH_WATER_BYTES.
 */
import type WebSocket from 'ws';
import { ErrorCode, LeftsyncError, errorMessage, isErrorCode } from '../errors.js';
import { decodeFrame, encodeFrame } from '../protocol/frame.js';
import { MAX_CHUNK_PAYLOAD_BYTES, MAX_FRAME_BYTES, MAX_HANDSHAKE_FRAME_BYTES } from '../protocol/limits.js';
import type { Frame } from '../protocol/messages.js';
import { validateFrame } from '../protocol/validate.js';
import { CHUNK_SIZES } from '../chunker/params.js';
import { BufferPool } from './buffer-pool.js';
import { chunkReplyFrameLength, encodeChunkReplyFrame } from './chunk-reply-frame.js';
import { receivedGarbage } from './young-gc.js';

/** send() waits while more than this many bytes are handed to ws but not yet flushed. */
export const SEND_HIGH_WATER_BYTES = 4 * 1024 * 1024;
/** WebSocket close status leftsync uses; the close reason carries the LS_* code. */
export const LEFTSYNC_CLOSE_STATUS = 4000;
/** After our close frame, the peer gets this long to answer before the socket is destroyed. */
const CLOSE_GRACE_MS = 2_000;
/**
 * Buffers for chunk reply frames, shared by every channel. Up to
 * SEND_HIGH_WATER_BYTES of frames wait for the socket, so that much (and one
 * more frame) is kept free: a steady transfer then allocates no frame at all.
 * Frames of small files (below POOLED_FRAME_BYTES, the chunker's smallest
 * chunk) are allocated as before: a block of the pool is 32 KiB at least, and a
 * thousand 4 KiB files wait at once.
 */
const chunkReplyBuffers = new BufferPool(SEND_HIGH_WATER_BYTES + MAX_CHUNK_PAYLOAD_BYTES + 1024);
const POOLED_FRAME_BYTES = CHUNK_SIZES.minSize;

export interface CloseInfo {
  /** Stable code of why the channel closed. */
  code: ErrorCode;
  /** Human-readable explanation. */
  message: string;
  /** Who decided to close: we did, or the peer / the network did. */
  by: 'local' | 'remote';
}

export class FrameChannel {
  private isAuthenticated = false;
  private queue: Frame[] = [];
  private waiters: Array<{ resolve: (frame: Frame) => void; reject: (err: Error) => void }> = [];
  private handler: ((frame: Frame) => void) | null = null;
  private closeInfo: CloseInfo | null = null;
  private closedEmitted = false;
  private closeListeners: Array<(info: CloseInfo) => void> = [];
  private unflushed = 0;
  private drainWaiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  private graceTimer: NodeJS.Timeout | null = null;
  private lastSocketError: Error | null = null;

  constructor(
    readonly ws: WebSocket,
    readonly remoteAddress: string,
  ) {
    // Strangers may not make us buffer a 4 MiB message: until the handshake is
    // done, ws itself refuses anything above the handshake limit.
    setIncomingLimit(ws, MAX_HANDSHAKE_FRAME_BYTES);
    ws.on('message', (data, isBinary) => this.receive(data as Buffer, isBinary));
    ws.on('error', (err) => {
      this.lastSocketError = err;
    });
    ws.on('close', (status, reason) => this.onSocketClose(status, reason.toString('utf8')));
  }

  /**
   * True once the handshake has authenticated the peer: frames may then be up to
   * MAX_FRAME_BYTES (before: MAX_HANDSHAKE_FRAME_BYTES), and protocol errors are
   * explained to the peer in an Error frame before closing.
   */
  get authenticated(): boolean {
    return this.isAuthenticated;
  }

  set authenticated(value: boolean) {
    this.isAuthenticated = value;
    setIncomingLimit(this.ws, value ? MAX_FRAME_BYTES : MAX_HANDSHAKE_FRAME_BYTES);
  }

  get closed(): boolean {
    return this.closeInfo !== null;
  }

  /** Why the channel closed (or is closing), null while open. */
  get closeReason(): CloseInfo | null {
    return this.closeInfo;
  }

  /** The next frame (handshake use). Rejects with the close reason once the channel is closed. */
  next(): Promise<Frame> {
    const frame = this.queue.shift();
    if (frame) return Promise.resolve(frame);
    if (this.closeInfo) return Promise.reject(toError(this.closeInfo));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Delivers every later frame (and any queued one) to `handler`. */
  setHandler(handler: (frame: Frame) => void): void {
    this.handler = handler;
    while (this.queue.length > 0 && !this.closeInfo) handler(this.queue.shift()!);
  }

  onClose(listener: (info: CloseInfo) => void): void {
    if (this.closedEmitted && this.closeInfo) listener(this.closeInfo);
    else this.closeListeners.push(listener);
  }

  async send(frame: Frame): Promise<void> {
    if (this.closeInfo) throw toError(this.closeInfo, ErrorCode.CONNECTION_CLOSED);
    let pooled: Buffer | null = null;
    let bytes: Uint8Array;
    if (frame.chunkReply != null && validateFrame(frame) === 'chunkReply') {
      // Bulk data: encoded into a reused buffer, returned to the pool once written.
      const length = chunkReplyFrameLength(frame.chunkReply);
      if (length > MAX_FRAME_BYTES) {
        throw new LeftsyncError(ErrorCode.PROTO_TOO_LARGE, `frame of ${length} bytes exceeds the limit of ${MAX_FRAME_BYTES}`);
      }
      if (length >= POOLED_FRAME_BYTES) pooled = chunkReplyBuffers.take(length);
      bytes = encodeChunkReplyFrame(frame.chunkReply, pooled ?? Buffer.allocUnsafe(length));
    } else {
      bytes = encodeFrame(frame);
    }
    this.unflushed += bytes.length;
    this.ws.send(bytes, { binary: true }, () => {
      this.unflushed -= bytes.length;
      if (pooled !== null) chunkReplyBuffers.give(pooled);
      this.wakeSenders();
    });
    if (this.unflushed <= SEND_HIGH_WATER_BYTES) return;
    await new Promise<void>((resolve, reject) => this.drainWaiters.push({ resolve, reject }));
  }

  /** Stops reading the socket (ws pauses it, so TCP flow control reaches the peer). */
  pauseReading(): void {
    this.ws.pause();
  }

  resumeReading(): void {
    this.ws.resume();
  }

  /** Bytes handed to the socket but not yet flushed (for tests and logs). */
  get unflushedBytes(): number {
    return this.unflushed;
  }

  /**
   * Closes with a stable code. With `tellPeer`, an Error frame carrying the
   * message goes first (only once authenticated: strangers get the close code only).
   */
  close(code: ErrorCode, message: string, tellPeer = false): void {
    if (this.closeInfo) return;
    if (tellPeer && this.ws.readyState === this.ws.OPEN) {
      try {
        this.ws.send(encodeFrame({ error: { code, message: message.slice(0, 4096), requestId: 0 } }));
      } catch {
        // The close below still tells the peer the code.
      }
    }
    this.closeInfo = { code, message, by: 'local' };
    this.failPending();
    if (this.ws.readyState === this.ws.CONNECTING) {
      this.ws.terminate();
      return;
    }
    this.ws.close(LEFTSYNC_CLOSE_STATUS, code);
    this.graceTimer = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS);
    this.graceTimer.unref();
  }

  /** Drops the socket at once (dead peer: no close handshake possible). */
  terminate(code: ErrorCode, message: string): void {
    if (!this.closeInfo) {
      this.closeInfo = { code, message, by: 'local' };
      this.failPending();
    }
    this.ws.terminate();
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (this.closeInfo) return;
    if (!isBinary) {
      this.close(ErrorCode.PROTO_MALFORMED, 'text message received; leftsync frames are binary', this.authenticated);
      return;
    }
    let frame: Frame;
    try {
      frame = decodeFrame(data, { maxBytes: this.authenticated ? MAX_FRAME_BYTES : MAX_HANDSHAKE_FRAME_BYTES });
    } catch (err) {
      const code = err instanceof LeftsyncError ? err.code : ErrorCode.PROTO_MALFORMED;
      this.close(code, errorMessage(err), this.authenticated);
      return;
    }
    receivedGarbage.received(data.length);
    if (this.handler) this.handler(frame);
    else if (this.waiters.length > 0) this.waiters.shift()!.resolve(frame);
    else this.queue.push(frame);
  }

  private onSocketClose(status: number, reason: string): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    if (!this.closeInfo) this.closeInfo = remoteCloseInfo(status, reason, this.lastSocketError, this.isAuthenticated ? MAX_FRAME_BYTES : MAX_HANDSHAKE_FRAME_BYTES);
    this.failPending();
    this.closedEmitted = true;
    for (const listener of this.closeListeners.splice(0)) listener(this.closeInfo);
  }

  private failPending(): void {
    // Errors are built only when someone waits: building one captures a stack,
    // which adds up when many hostile connections are closed.
    if (this.waiters.length > 0) {
      const err = toError(this.closeInfo!);
      for (const waiter of this.waiters.splice(0)) waiter.reject(err);
    }
    if (this.drainWaiters.length > 0) {
      const closedErr = toError(this.closeInfo!, ErrorCode.CONNECTION_CLOSED);
      for (const waiter of this.drainWaiters.splice(0)) waiter.reject(closedErr);
    }
  }

  private wakeSenders(): void {
    if (this.unflushed > SEND_HIGH_WATER_BYTES) return;
    for (const waiter of this.drainWaiters.splice(0)) waiter.resolve();
  }
}

function toError(info: CloseInfo, code: ErrorCode = info.code): LeftsyncError {
  return new LeftsyncError(code, info.message);
}

/** How a close code sent by the peer reads in our logs. */
const REMOTE_REASONS: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.AUTH_FAILED]: 'the peer rejected our authentication: our secrets differ',
  [ErrorCode.CONNECTION_CLOSED]: 'the peer closed the connection',
  [ErrorCode.STOPPING]: 'the peer is stopping (SIGINT/SIGTERM)',
  [ErrorCode.DUPLICATE_LINK]: 'the peer closed this link: another link between us is kept',
  [ErrorCode.HANDSHAKE_TIMEOUT]: 'the peer gave up waiting for our handshake',
  [ErrorCode.PEER_TIMEOUT]: 'the peer stopped hearing from us (ping timeout)',
  [ErrorCode.SELF_CONNECTION]: 'this address is ourselves',
  [ErrorCode.PROTO_MALFORMED]: 'the peer rejected a frame we sent as malformed',
  [ErrorCode.PROTO_TOO_LARGE]: 'the peer rejected a frame we sent as too large',
  [ErrorCode.PROTO_UNEXPECTED]: 'the peer rejected a frame we sent as unexpected',
  [ErrorCode.PROTO_VERSION]: 'the peer refused us: different protocol version',
  [ErrorCode.CHUNKER_MISMATCH]: 'the peer refused us: different chunker parameters',
};

/** What a close we did not initiate means, from the WebSocket status and reason. */
function remoteCloseInfo(status: number, reason: string, socketError: Error | null, limit: number): CloseInfo {
  if (socketError) {
    const wsCode = (socketError as { code?: string }).code;
    if (wsCode === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      return { code: ErrorCode.PROTO_TOO_LARGE, message: `peer sent a message above the ${limit}-byte limit`, by: 'local' };
    }
    if (wsCode?.startsWith('WS_ERR_')) {
      return { code: ErrorCode.PROTO_MALFORMED, message: `invalid WebSocket data from peer: ${socketError.message}`, by: 'local' };
    }
    return { code: ErrorCode.CONNECTION_CLOSED, message: `connection lost: ${socketError.message}`, by: 'remote' };
  }
  if (status === LEFTSYNC_CLOSE_STATUS && isErrorCode(reason)) {
    return { code: reason, message: REMOTE_REASONS[reason] ?? `the peer closed the connection with ${reason}`, by: 'remote' };
  }
  if (status === 1009) return { code: ErrorCode.PROTO_TOO_LARGE, message: 'peer refused a message as too large', by: 'remote' };
  const detail = status === 1006 ? 'connection lost' : `peer closed the connection (status ${status}${reason ? ` ${reason}` : ''})`;
  return { code: ErrorCode.CONNECTION_CLOSED, message: detail, by: 'remote' };
}

/**
 * Sets ws's incoming message limit on a live socket. ws keeps it in a private
 * field of its receiver (ws is pinned to an exact version); when the field is
 * absent (the dialer before it opens, or another ws version) the connection
 * keeps the WebSocketServer's maxPayload, which is still MAX_FRAME_BYTES, and
 * decodeFrame applies the handshake limit after buffering.
 */
function setIncomingLimit(ws: WebSocket, bytes: number): void {
  const receiver = (ws as unknown as { _receiver?: { _maxPayload?: number } | null })._receiver;
  if (receiver && typeof receiver._maxPayload === 'number') receiver._maxPayload = bytes;
}
