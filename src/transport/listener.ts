/**
 * The listening side below the handshake: accepts TCP, applies admission
 * (admission.ts) before reading a byte, terminates TLS, and hands WebSocket
 * upgrades for WS_PATH to the transport with the connection's pending slot.
 *
 * The first byte of a connection tells TLS (0x16, a handshake record) from
 * plain HTTP, so a peer whose TLS setting differs from ours is told so in
 * words, on both sides, with LS_TLS_MISMATCH: a TLS listener answers a plain
 * request with HTTP 426 and an X-Leftsync-Error header; a --no-tls listener
 * answers a TLS hello with plain HTTP, which the TLS dialer reads as "wrong
 * version number".
 *
 * The slot's timer bounds everything before authentication (TCP idle, TLS,
 * HTTP headers, the leftsync handshake) to handshakeTimeoutMs.
 */
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket, createSecureContext, type SecureContext } from 'node:tls';
import { ErrorCode } from '../errors.js';
import type { Admission } from './admission.js';
import type { TlsIdentity } from './certificate.js';
import type { FrameChannel } from './frame-channel.js';

/** The WebSocket path leftsync serves. */
export const WS_PATH = '/leftsync';
/** The header that carries our error code on an HTTP refusal. */
export const ERROR_HEADER = 'x-leftsync-error';
const TLS_RECORD_HANDSHAKE = 0x16;

/** `peer`: the id the remote claimed, when it got that far (shown, never used as a key). */
export type Reporter = (event: string, address: string, code: ErrorCode, reason: string, peer?: string) => void;

export interface ListenerOptions {
  host: string;
  port: number;
  tls: TlsIdentity | null;
  handshakeTimeoutMs: number;
  admission: Admission<PendingConnection>;
  /** Logs a failure of an inbound connection (the transport's deduplicated failure log). */
  report: Reporter;
  /** A WebSocket upgrade on WS_PATH; `pending` is its slot until settle(). */
  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, pending: PendingConnection): void;
}

/** An unauthenticated inbound connection holding an admission slot. */
export class PendingConnection {
  channel: FrameChannel | undefined;
  timer: NodeJS.Timeout | undefined;
  /** A failure already reported for this connection (so the HTTP layer does not report it twice). */
  reported = false;
  constructor(
    readonly raw: Socket,
    readonly host: string,
    readonly address: string,
  ) {}

  /** Closes the connection with `code` (through the channel when the WebSocket is open). */
  drop(code: ErrorCode, message: string): void {
    if (this.channel) this.channel.close(code, message);
    else this.raw.destroy();
  }
}

export function socketAddress(socket: { remoteAddress?: string; remotePort?: number }): string {
  const host = socket.remoteAddress ?? '?';
  return host.includes(':') ? `[${host}]:${socket.remotePort}` : `${host}:${socket.remotePort}`;
}

function httpRefusal(status: string, code: ErrorCode, text: string): string {
  return `HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\n${ERROR_HEADER}: ${code}\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(text) + 1}\r\n\r\n${text}\n`;
}

export class Listener {
  private readonly server: Server;
  private readonly http = createHttpServer((_req, res) => {
    // A plain HTTP request: not a leftsync peer.
    res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' }).end('leftsync peers speak WebSocket\n');
  });
  private readonly secureContext: SecureContext | null;
  private readonly sockets = new Set<Socket>();
  /** The socket the HTTP layer sees (TLS or raw) -> its slot. */
  private readonly slots = new WeakMap<Duplex, PendingConnection>();
  private stopped = false;

  private constructor(private readonly options: ListenerOptions) {
    this.secureContext = options.tls ? createSecureContext({ key: options.tls.key, cert: options.tls.cert, minVersion: 'TLSv1.3' }) : null;
    this.server = createServer((socket) => this.onTcp(socket));
    this.http.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      const pending = this.slots.get(socket);
      if (pending && !pending.reported && !socket.destroyed) {
        this.fail(pending, 'handshake.failed', ErrorCode.PROTO_MALFORMED, `not a leftsync WebSocket request (${err.code ?? err.message})`);
      }
      socket.destroy();
    });
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const pending = this.slots.get(socket);
      if (this.stopped || !pending) {
        socket.destroy();
        return;
      }
      if ((req.url ?? '').split('?')[0] !== WS_PATH) {
        this.fail(pending, 'handshake.failed', ErrorCode.PROTO_MALFORMED, `WebSocket upgrade for unknown path ${JSON.stringify((req.url ?? '').slice(0, 64))}`);
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        socket.destroy();
        return;
      }
      options.onUpgrade(req, socket, head, pending);
    });
  }

  static async listen(options: ListenerOptions): Promise<Listener> {
    const listener = new Listener(options);
    await new Promise<void>((resolve, reject) => {
      listener.server.once('error', reject);
      listener.server.listen(options.port, options.host, () => {
        listener.server.off('error', reject);
        resolve();
      });
    });
    return listener;
  }

  get port(): number {
    const bound = this.server.address();
    return typeof bound === 'object' && bound !== null ? bound.port : this.options.port;
  }

  /** The slot of a socket the HTTP layer saw (for errors reported above it). */
  pendingOf(socket: Duplex): PendingConnection | undefined {
    return this.slots.get(socket);
  }

  /** The handshake on this connection is over (either way): its slot is free. */
  settle(pending: PendingConnection): void {
    clearTimeout(pending.timer);
    this.options.admission.release(pending.host, pending);
  }

  /** The connection authenticated: its address has no failures held against it any more. */
  trust(pending: PendingConnection): void {
    this.options.admission.succeeded(pending.host);
  }

  /** A failure that counts against the address (backoff), reported once. */
  fail(pending: PendingConnection, event: string, code: ErrorCode, reason: string, peer?: string): void {
    pending.reported = true;
    this.options.report(event, pending.address, code, reason, peer);
    this.options.admission.failed(pending.host, Date.now());
  }

  async close(): Promise<void> {
    this.stopped = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Give close frames a moment, then drop whatever is left.
    await new Promise((resolve) => setTimeout(resolve, 50).unref());
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private onTcp(raw: Socket): void {
    raw.on('error', () => {}); // reported where it matters (TLS, HTTP, WebSocket layers)
    if (this.stopped) {
      raw.destroy();
      return;
    }
    const pending = new PendingConnection(raw, raw.remoteAddress ?? '?', socketAddress(raw));
    const decision = this.options.admission.admit(pending.host, pending, Date.now());
    if (!decision.admitted) {
      const reason = `address in backoff for ${Math.ceil(decision.blockedForMs / 1000)} s after repeated failed authentication`;
      this.options.report('conn.refused', pending.address, ErrorCode.AUTH_BACKOFF, reason);
      raw.destroy();
      return;
    }
    this.sockets.add(raw);
    raw.once('close', () => {
      this.sockets.delete(raw);
      this.settle(pending);
    });
    const { maxPending, maxPendingPerAddress } = this.options.admission.limits;
    for (const old of decision.evicted) {
      const reason = `oldest unauthenticated connection closed: at most ${maxPendingPerAddress} per address and ${maxPending} in all`;
      this.options.report('conn.evicted', old.address, ErrorCode.TOO_MANY_CONNECTIONS, reason);
      old.reported = true;
      old.drop(ErrorCode.TOO_MANY_CONNECTIONS, reason);
    }
    const timeoutMs = this.options.handshakeTimeoutMs;
    pending.timer = setTimeout(() => {
      const message = `handshake not completed within ${timeoutMs} ms`;
      if (pending.channel) {
        pending.channel.close(ErrorCode.HANDSHAKE_TIMEOUT, message); // the handshake logs it
      } else {
        pending.reported = true;
        this.options.report('handshake.failed', pending.address, ErrorCode.HANDSHAKE_TIMEOUT, `${message} (no WebSocket upgrade)`);
        raw.destroy();
      }
    }, timeoutMs);
    pending.timer.unref();
    raw.once('data', (first: Buffer) => this.sniff(pending, first));
  }

  private sniff(pending: PendingConnection, first: Buffer): void {
    const { raw } = pending;
    raw.pause();
    const isTls = first[0] === TLS_RECORD_HANDSHAKE;
    if (this.secureContext && !isTls) {
      pending.reported = true;
      const reason = 'the peer dialed without TLS (it runs with --no-tls); we require TLS: start both peers with --no-tls or neither';
      this.options.report('tls.mismatch', pending.address, ErrorCode.TLS_MISMATCH, reason);
      raw.end(httpRefusal('426 Upgrade Required', ErrorCode.TLS_MISMATCH, 'this leftsync peer requires TLS (wss://); it was dialed without TLS (--no-tls)'), () => raw.destroy());
      return;
    }
    if (!this.secureContext && isTls) {
      pending.reported = true;
      const reason = 'the peer dialed with TLS; we run with --no-tls: start both peers with --no-tls or neither';
      this.options.report('tls.mismatch', pending.address, ErrorCode.TLS_MISMATCH, reason);
      raw.end(httpRefusal('400 Bad Request', ErrorCode.TLS_MISMATCH, 'this leftsync peer runs with --no-tls; it was dialed with TLS'), () => raw.destroy());
      return;
    }
    raw.unshift(first);
    let socket: Duplex = raw;
    if (this.secureContext) {
      // TLSSocket takes over the raw socket's handle and first replays what was unshifted.
      const tls = new TLSSocket(raw, { isServer: true, secureContext: this.secureContext });
      let secure = false;
      tls.once('secure', () => (secure = true));
      tls.on('error', (err: Error) => {
        if (!secure && !pending.reported) this.fail(pending, 'handshake.failed', ErrorCode.TLS_FAILED, `TLS handshake failed: ${err.message}`);
      });
      socket = tls;
    }
    this.slots.set(socket, pending);
    this.http.emit('connection', socket);
    if (socket === raw) raw.resume();
  }
}
