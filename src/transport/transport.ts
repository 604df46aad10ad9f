/**
 * The WebSocket transport: listens on one port, dials every configured peer,
 * authenticates each connection, keeps exactly one link per peer and hands each
 * new link to `onConnection`.
 *
 * Log events (stable names; with --log-format json each is one JSON object per
 * line on stderr, which the end-to-end tests parse):
 *   transport.listening  {peer, address, port}
 *   peer.connected       {peer, address, direction, link, instance}
 *   peer.disconnected    {peer, address, direction, link, code, reason}
 *   link.duplicate       {peer, kept, closed}              two links to one peer; one closed
 *   (debug) dial.redundant {address, peer}                 a dial found the peer already linked and stopped
 *   auth.failed          {address, direction, peer?, code, reason}   wrong secret, replay
 *   peer.refused         {address, direction, peer, code, reason}    version/chunker mismatch, self
 *   handshake.failed     {address, direction, peer?, code, reason}   timeout, garbage, oversized, closed
 *   dial.failed          {address, code, reason}           first failure of a streak (repeats: debug)
 *   conn.refused         {address, reason}                 too many unauthenticated connections
 * `direction` is "in" (the peer dialed us) or "out"; `link` is the same short id on both sides.
 * A failure repeated with the same reason from the same place within a minute is logged at debug.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { PeerAddress } from '../config.js';
import { ErrorCode, LeftsyncError } from '../errors.js';
import { createLogger } from '../log.js';
import { MAX_FRAME_BYTES } from '../protocol/limits.js';
import { PROTOCOL_VERSION, type ChunkerParamsMessage } from '../protocol/messages.js';
import { formatAddress } from './address.js';
import { handshakeKey } from './auth.js';
import type { PeerConnection } from './connection.js';
import { Dialer, type DialOutcome } from './dialer.js';
import { FrameChannel, type CloseInfo } from './frame-channel.js';
import { dialerHandshake, listenerHandshake, type ClaimedId, type HandshakeContext } from './handshake.js';
import { buildHello } from './hello.js';
import { preferredLink } from './links.js';
import { WsPeerConnection, type Direction } from './ws-connection.js';

const baseLog = createLogger('transport');

/** The WebSocket path leftsync serves. */
export const WS_PATH = '/leftsync';
/** Unauthenticated connections held at once; more are refused (each may buffer up to a frame). */
export const MAX_PENDING_HANDSHAKES = 32;
const REPEAT_WINDOW_MS = 60_000;

export interface TransportOptions {
  peerId: string;
  listenHost: string;
  /** 0 picks a free port (tests). */
  port: number;
  peers: PeerAddress[];
  /** null: insecure mode (empty HMAC key). */
  secret: Buffer | null;
  chunker: ChunkerParamsMessage;
  capabilities?: string[];
  clientVersion?: string;
  /** Overrides PROTOCOL_VERSION (tests of the mismatch path only). */
  protocolVersion?: number;
  pingIntervalMs: number;
  pingTimeoutMs: number;
  reconnectMaxMs: number;
  handshakeTimeoutMs: number;
  /** Called once per new link; register onFrame synchronously (frames queue until then). */
  onConnection?: (conn: PeerConnection) => void;
}

export class Transport {
  private readonly links = new Map<string, WsPeerConnection>();
  private readonly unlinkWaiters = new Map<string, Array<() => void>>();
  private readonly dialers: Dialer[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly pending = new Map<Socket, { timer: NodeJS.Timeout; channel?: FrameChannel }>();
  private readonly outgoing = new Set<FrameChannel>();
  private readonly recentFailures = new Map<string, number>();
  private readonly context: HandshakeContext;
  private readonly wss: WebSocketServer;
  private readonly server: Server;
  private stopped = false;
  /** Module name carries our peer id: several nodes in one process (tests) stay apart. */
  private readonly log: ReturnType<typeof createLogger>;
  readonly instanceId = randomBytes(8).toString('hex');

  private constructor(private readonly options: TransportOptions) {
    this.log = baseLog.child(options.peerId);
    this.context = {
      localId: options.peerId,
      key: handshakeKey(options.secret),
      localHello: buildHello(options.peerId, {
        protocolVersion: options.protocolVersion ?? PROTOCOL_VERSION,
        chunker: options.chunker,
        capabilities: options.capabilities ?? [],
        clientVersion: options.clientVersion ?? '',
        instanceId: this.instanceId,
      }),
      hasLiveLink: (peerId) => {
        const link = this.links.get(peerId);
        return link !== undefined && !link.closed;
      },
    };
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, clientTracking: false });
    this.wss.on('wsClientError', (err: Error, socket: Socket, req: IncomingMessage) => {
      this.logFailure('handshake.failed', 'in', address(req.socket), undefined, new LeftsyncError(ErrorCode.PROTO_MALFORMED, `bad WebSocket upgrade request: ${err.message}`));
      socket.destroy();
    });
    this.server = createServer((req, res) => {
      // A plain HTTP request: not a leftsync peer.
      res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' }).end('leftsync peers speak WebSocket\n');
    });
    this.server.headersTimeout = options.handshakeTimeoutMs;
    this.server.requestTimeout = options.handshakeTimeoutMs;
    this.server.on('connection', (socket) => this.onTcpConnection(socket));
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      if (!socket.destroyed) {
        this.logFailure('handshake.failed', 'in', address(socket), undefined, new LeftsyncError(ErrorCode.PROTO_MALFORMED, `not a leftsync WebSocket request (${err.code ?? err.message})`));
      }
      socket.destroy();
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.onUpgrade(req, socket, head));
  }

  /** Listens, then starts dialing every configured peer. */
  static async start(options: TransportOptions): Promise<Transport> {
    const transport = new Transport(options);
    await new Promise<void>((resolve, reject) => {
      transport.server.once('error', reject);
      transport.server.listen(options.port, options.listenHost, () => {
        transport.server.off('error', reject);
        resolve();
      });
    });
    transport.log.info('transport.listening', { peer: options.peerId, address: options.listenHost, port: transport.port });
    for (const peer of options.peers) transport.addPeer(peer);
    return transport;
  }

  get port(): number {
    const bound = this.server.address();
    return typeof bound === 'object' && bound !== null ? bound.port : this.options.port;
  }

  get peerId(): string {
    return this.options.peerId;
  }

  /** The live links, one per peer. */
  connections(): PeerConnection[] {
    return [...this.links.values()];
  }

  connectionTo(peerId: string): PeerConnection | undefined {
    return this.links.get(peerId);
  }

  /** Starts dialing one more peer address (kept dialing until stop()). */
  addPeer(peer: PeerAddress): void {
    if (this.stopped) return;
    const text = formatAddress(peer);
    const dialer = new Dialer(
      {
        dialOnce: () => this.dialOnce(peer, text),
        untilUnlinked: (peerId) => this.untilUnlinked(peerId),
      },
      this.options.reconnectMaxMs,
    );
    this.dialers.push(dialer);
    dialer.start();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const dialer of this.dialers) dialer.stop();
    for (const link of this.links.values()) link.closeWith(ErrorCode.STOPPING, 'node stopping');
    for (const channel of this.outgoing) channel.close(ErrorCode.CONNECTION_CLOSED, 'node stopping');
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Give close frames a moment, then drop whatever is left.
    await new Promise((resolve) => setTimeout(resolve, 50).unref());
    for (const socket of this.sockets) socket.destroy();
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    await closed;
  }

  // --- accepting ---------------------------------------------------------------

  private onTcpConnection(socket: Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      const entry = this.pending.get(socket);
      if (entry) clearTimeout(entry.timer);
      this.pending.delete(socket);
    });
    if (this.pending.size >= MAX_PENDING_HANDSHAKES) {
      this.logOnce('conn.refused', { address: address(socket), reason: `more than ${MAX_PENDING_HANDSHAKES} unauthenticated connections` });
      socket.destroy();
      return;
    }
    const timeoutMs = this.options.handshakeTimeoutMs;
    const timer = setTimeout(() => {
      const entry = this.pending.get(socket);
      if (!entry) return;
      const message = `handshake not completed within ${timeoutMs} ms`;
      if (entry.channel) {
        entry.channel.close(ErrorCode.HANDSHAKE_TIMEOUT, message); // the handshake logs it
      } else {
        this.logFailure('handshake.failed', 'in', address(socket), undefined, new LeftsyncError(ErrorCode.HANDSHAKE_TIMEOUT, `${message} (no WebSocket upgrade)`));
        socket.destroy();
      }
    }, timeoutMs);
    timer.unref();
    this.pending.set(socket, { timer });
  }

  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    if ((req.url ?? '').split('?')[0] !== WS_PATH) {
      this.logFailure('handshake.failed', 'in', address(socket), undefined, new LeftsyncError(ErrorCode.PROTO_MALFORMED, `WebSocket upgrade for unknown path ${JSON.stringify((req.url ?? '').slice(0, 64))}`));
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.accept(ws, socket));
  }

  private async accept(ws: WebSocket, socket: Socket): Promise<void> {
    const channel = new FrameChannel(ws, address(socket));
    const entry = this.pending.get(socket);
    if (entry) entry.channel = channel;
    const conn = await this.handshake(channel, 'in');
    const done = this.pending.get(socket);
    if (done) clearTimeout(done.timer);
    this.pending.delete(socket);
    if (conn) this.register(conn);
  }

  // --- dialing -----------------------------------------------------------------

  private async dialOnce(peer: PeerAddress, text: string): Promise<DialOutcome> {
    if (this.stopped) return { linked: false, code: ErrorCode.CONNECTION_CLOSED };
    const ws = new WebSocket(`ws://${text}${WS_PATH}`, {
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: false,
      handshakeTimeout: this.options.handshakeTimeoutMs,
    });
    const channel = new FrameChannel(ws, text);
    this.outgoing.add(channel);
    try {
      const opened = await new Promise<CloseInfo | null>((resolve) => {
        ws.once('open', () => resolve(null));
        channel.onClose((info) => resolve(info));
      });
      if (opened) {
        this.logFailure('dial.failed', 'out', text, undefined, new LeftsyncError(opened.code, opened.message));
        return { linked: false, code: opened.code };
      }
      const timer = setTimeout(() => channel.close(ErrorCode.HANDSHAKE_TIMEOUT, `handshake not completed within ${this.options.handshakeTimeoutMs} ms`), this.options.handshakeTimeoutMs);
      timer.unref();
      const claimed: ClaimedId = {};
      const conn = await this.handshake(channel, 'out', claimed);
      clearTimeout(timer);
      if (!conn) return { peerId: claimed.peerId, linked: false, code: channel.closeReason?.code ?? ErrorCode.CONNECTION_CLOSED };
      const linked = this.register(conn);
      const info = await new Promise<CloseInfo>((resolve) => conn.onCloseInfo(resolve));
      return { peerId: conn.peerId, linked, code: info.code };
    } finally {
      this.outgoing.delete(channel);
    }
  }

  private untilUnlinked(peerId: string): Promise<void> {
    const link = this.links.get(peerId);
    if (!link || link.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.unlinkWaiters.get(peerId) ?? [];
      waiters.push(resolve);
      this.unlinkWaiters.set(peerId, waiters);
    });
  }

  // --- handshake and links -------------------------------------------------------

  private async handshake(channel: FrameChannel, direction: Direction, claimed: ClaimedId = {}): Promise<WsPeerConnection | null> {
    try {
      const result = direction === 'in'
        ? await listenerHandshake(channel, this.context, claimed)
        : await dialerHandshake(channel, this.context, claimed);
      // A success ends a failure streak: the next failure is worth a line again.
      for (const key of this.recentFailures.keys()) if (key.includes(`|${direction}|${channel.remoteAddress}|`)) this.recentFailures.delete(key);
      return new WsPeerConnection(channel, result, direction, this.options);
    } catch (err) {
      const failure = err instanceof LeftsyncError ? err : new LeftsyncError(ErrorCode.INTERNAL, String(err), { cause: err });
      channel.close(failure.code, failure.message);
      if (failure.code === ErrorCode.DUPLICATE_LINK) {
        this.log.debug('dial.redundant', { address: channel.remoteAddress, peer: claimed.peerId });
        return null;
      }
      const event =
        failure.code === ErrorCode.AUTH_FAILED ? 'auth.failed'
        : failure.code === ErrorCode.PROTO_VERSION || failure.code === ErrorCode.CHUNKER_MISMATCH || failure.code === ErrorCode.SELF_CONNECTION ? 'peer.refused'
        : 'handshake.failed';
      this.logFailure(event, direction, channel.remoteAddress, claimed.peerId, failure);
      return null;
    }
  }

  /** Adds a new link unless a better one to the same peer exists. Returns whether it was kept. */
  private register(conn: WsPeerConnection): boolean {
    if (this.stopped) {
      conn.close('node stopping');
      return false;
    }
    const existing = this.links.get(conn.peerId);
    if (existing && !existing.closed) {
      const keep = preferredLink(this.options.peerId, conn.peerId, existing, conn);
      const drop = keep === existing ? conn : existing;
      this.log.info('link.duplicate', { peer: conn.peerId, kept: keep.linkId, closed: drop.linkId });
      drop.closeWith(ErrorCode.DUPLICATE_LINK, `link ${drop.linkId} closed: link ${keep.linkId} to peer ${conn.peerId} is kept`);
      if (keep === existing) return false;
    }
    this.links.set(conn.peerId, conn);
    this.log.info('peer.connected', { peer: conn.peerId, address: conn.remoteAddress, direction: conn.direction, link: conn.linkId, instance: conn.remoteInstance });
    conn.onCloseInfo((info) => {
      if (this.links.get(conn.peerId) === conn) {
        this.links.delete(conn.peerId);
        for (const wake of this.unlinkWaiters.get(conn.peerId)?.splice(0) ?? []) wake();
      }
      this.log.info('peer.disconnected', { peer: conn.peerId, address: conn.remoteAddress, direction: conn.direction, link: conn.linkId, code: info.code, reason: info.message });
    });
    if (this.options.onConnection) this.options.onConnection(conn);
    else conn.onFrame((frame) => this.log.debug('frame.ignored', { peer: conn.peerId, kinds: Object.keys(frame) }));
    return true;
  }

  // --- logging -----------------------------------------------------------------------

  private logFailure(event: string, direction: Direction, addressText: string, peer: string | undefined, err: LeftsyncError): void {
    const host = direction === 'in' ? addressText.replace(/:\d+$/, '') : addressText;
    const fields = { address: addressText, direction, ...(peer ? { peer } : {}), code: err.code, reason: err.message };
    const key = `${event}|${direction}|${host}|${peer ?? ''}|${err.code}|${err.message}`;
    const level = event === 'dial.failed' ? 'info' : 'warn';
    this.logOnce(event, fields, key, level);
  }

  private logOnce(event: string, fields: Record<string, unknown>, key = `${event}|${String(fields.address).replace(/:\d+$/, '')}`, level: 'info' | 'warn' = 'warn'): void {
    const now = Date.now();
    const last = this.recentFailures.get(key);
    if (last !== undefined && now - last < REPEAT_WINDOW_MS) {
      this.log.debug(event, { ...fields, repeated: true });
      return;
    }
    if (this.recentFailures.size > 1_000) this.recentFailures.clear();
    this.recentFailures.set(key, now);
    this.log[level](event, fields);
  }
}

function address(socket: Socket): string {
  const host = socket.remoteAddress ?? '?';
  return host.includes(':') ? `[${host}]:${socket.remotePort}` : `${host}:${socket.remotePort}`;
}

