/**
 * A hand-driven WebSocket client that speaks leftsync frames one at a time, for
 * attack tests: garbage, replays, slowloris, oversized frames, fuzzing.
 */
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { channelBinding, computeMac, newNonce, type ExportingSocket, type HandshakeTranscript } from '../../src/transport/auth.js';
import { decodeFrame, encodeFrame } from '../../src/protocol/frame.js';
import { PROTOCOL_VERSION, type ChunkerParamsMessage, type Frame } from '../../src/protocol/messages.js';

export interface RawClose {
  status: number;
  reason: string;
}

export class RawPeer {
  readonly frames: Frame[] = [];
  readonly closed: Promise<RawClose>;
  /** Every binary message this client sent, in order (to replay later). */
  readonly sent: Uint8Array[] = [];
  private waiters: Array<() => void> = [];
  /** The TLS socket under the WebSocket (undefined with plain ws): the handshake binds to it. */
  socket: ExportingSocket | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.once('upgrade', (res: IncomingMessage) => (this.socket = res.socket as ExportingSocket));
    ws.on('message', (data: Buffer) => {
      try {
        this.frames.push(decodeFrame(data, { maxBytes: 8 * 1024 * 1024 }));
      } catch {
        // a test client: ignore what it cannot read
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    ws.on('error', () => {});
    this.closed = new Promise((resolve) => ws.once('close', (status, reason) => {
      for (const wake of this.waiters.splice(0)) wake();
      resolve({ status, reason: reason.toString() });
    }));
  }

  /** wss (any certificate) unless `tls: false`, like a leftsync dialer. */
  static connect(port: number, path = '/leftsync', options: WebSocket.ClientOptions & { tls?: boolean } = {}): Promise<RawPeer> {
    const { tls = true, ...wsOptions } = options;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${tls ? 'wss' : 'ws'}://127.0.0.1:${port}${path}`, { perMessageDeflate: false, rejectUnauthorized: false, ...wsOptions });
      const peer = new RawPeer(ws);
      ws.once('open', () => resolve(peer));
      ws.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.ws.readyState === WebSocket.CLOSED || this.ws.readyState === WebSocket.CLOSING;
  }

  sendBytes(bytes: Uint8Array): void {
    this.sent.push(bytes);
    this.ws.send(bytes, { binary: true });
  }

  send(frame: Frame): void {
    this.sendBytes(encodeFrame(frame));
  }

  /** The next frame received (index `i` overall), or an error on close/timeout. */
  async frame(i: number, timeoutMs = 5_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length <= i) {
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error('closed before frame ' + i);
      if (Date.now() > deadline) throw new Error('timed out waiting for frame ' + i);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return this.frames[i];
  }

  /** Performs the dialer side of the handshake and Hello; returns the peer's id. */
  async authenticate(key: Buffer, peerId: string, chunker: ChunkerParamsMessage): Promise<string> {
    const dialerNonce = newNonce();
    this.send({ authChallenge: { nonce: dialerNonce, peerId } });
    const response = (await this.frame(0)).authResponse!;
    const transcript: HandshakeTranscript = {
      dialerNonce,
      listenerNonce: response.nonce,
      dialerId: peerId,
      listenerId: response.peerId,
      channelBinding: channelBinding(this.socket),
    };
    this.send({ authProof: { mac: computeMac(key, 'dialer', transcript) } });
    await this.frame(1); // AuthOk
    this.send({ hello: { protocolVersion: PROTOCOL_VERSION, peerId, chunker, capabilities: [], clientVersion: 'raw', instanceId: 'raw-' + peerId } });
    await this.frame(2); // Hello
    return response.peerId;
  }

  close(): void {
    this.ws.terminate();
  }
}
