/**
 * The WebSocket transport: listens on one port (listener.ts: admission, TLS),
 * dials every configured peer, authenticates each connection, keeps exactly
 * one link per peer and hands each new link to `onConnection`.
 *
 * TLS (wss) unless `tls` is null (--no-tls). Dialers accept any certificate:
 * the handshake's proofs cover the TLS channel binding (auth.ts), which is what
 * authenticates the channel.
 *
 * Log events (stable names; with --log-format json each is one JSON object per
 * line on stderr, which the end-to-end tests parse):
 *   transport.listening  {peer, address, port, tls, fingerprint?}
 *   peer.connected       {peer, address, direction, link, instance}
 *   peer.disconnected    {peer, address, direction, link, code, reason}
 *   link.duplicate       {peer, kept, closed}              two links to one peer; one closed
 *   (debug) dial.redundant {address, peer}                 a dial found the peer already linked and stopped
 *   auth.failed          {address, direction, peer?, code, reason}   wrong secret, replay, TLS relay
 *   peer.refused         {address, direction, peer, code, reason}    version/chunker mismatch, self
 *   handshake.failed     {address, direction, peer?, code, reason}   timeout, garbage, oversized, closed, TLS
 *   tls.mismatch         {address, direction, code, reason}          one side runs --no-tls
 *   dial.failed          {address, code, reason}           first failure of a streak
 *   conn.refused         {address, direction, code, reason}          address in backoff (LS_AUTH_BACKOFF)
 *   conn.evicted         {address, direction, code, reason}          slot taken by a newer connection (LS_TOO_MANY_CONNECTIONS)
 *   failures.repeated    {event, address, count, seconds, code, lastReason}   summary of repeats (failure-log.ts)
 * `direction` is "in" (the peer dialed us) or "out"; `link` is the same short id on both sides.
 * Inbound failures are deduplicated by remote host (never by what the remote
 * claims); outbound ones by address and reason.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { PeerAddress } from '../config.js';
import { ErrorCode, LeftsyncError } from '../errors.js';
import { createLogger } from '../log.js';
import { MAX_FRAME_BYTES } from '../protocol/limits.js';
import { PROTOCOL_VERSION, type ChunkerParamsMessage } from '../protocol/messages.js';
import { formatAddress } from './address.js';
import { Admission, DEFAULT_ADMISSION, type AdmissionLimits } from './admission.js';
import { channelBinding, handshakeKey, type ExportingSocket } from './auth.js';
import type { TlsIdentity } from './certificate.js';
import type { PeerConnection } from './connection.js';
import { Dialer, type DialOutcome } from './dialer.js';
import { FailureLog } from './failure-log.js';
import { FrameChannel, type CloseInfo } from './frame-channel.js';
import { dialerHandshake, listenerHandshake, type ClaimedId, type HandshakeContext } from './handshake.js';
import { buildHello } from './hello.js';
import { preferredLink } from './links.js';
import { ERROR_HEADER, Listener, PendingConnection, WS_PATH } from './listener.js';
import { WsPeerConnection, type Direction } from './ws-connection.js';

export { WS_PATH };

const baseLog = createLogger('transport');

/**
 * The masking key of every frame we send as the dialing side: all zeros, so ws
 * neither copies each frame into a fresh buffer to mask it nor XORs it, and the
 * listener skips the unmasking. Masking (RFC 6455 section 10.3) keeps script in a
 * browser from choosing the bytes a proxy sees; our peers are not browsers, and
 * every byte after the handshake comes from an authenticated peer. The copy was
 * a fresh 64 KiB buffer per chunk sent: the frame pool was bypassed and the
 * garbage set off full collections (cold 500 MiB, npm run bench).
 */
function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

/** Handshake failures of an inbound connection that count against its address (admission.ts backoff). */
const HOSTILE_CODES = new Set<ErrorCode>([ErrorCode.AUTH_FAILED, ErrorCode.PROTO_MALFORMED, ErrorCode.PROTO_UNEXPECTED, ErrorCode.PROTO_TOO_LARGE, ErrorCode.TLS_FAILED]);

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
  /** Our certificate and key (certificate.ts); null: plain ws (--no-tls). */
  tls: TlsIdentity | null;
  /** Overrides of the unauthenticated-connection limits (tests). */
  admission?: Partial<AdmissionLimits>;
  /** Called once per new link; register onFrame synchronously (frames queue until then). */
  onConnection?: (conn: PeerConnection) => void;
}

export class Transport {
  private readonly links = new Map<string, WsPeerConnection>();
  private readonly unlinkWaiters = new Map<string, Array<() => void>>();
  private readonly dialers: Dialer[] = [];
  private readonly outgoing = new Set<FrameChannel>();
  private readonly context: HandshakeContext;
  private readonly wss: WebSocketServer;
  private readonly failures: FailureLog;
  private listener!: Listener;
  private stopped = false;
  /** Module name carries our peer id: several nodes in one process (tests) stay apart. */
  private readonly log: ReturnType<typeof createLogger>;
  readonly instanceId = randomBytes(8).toString('hex');

  private constructor(private readonly options: TransportOptions) {
    this.log = baseLog.child(options.peerId);
    this.failures = new FailureLog(this.log);
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
    this.wss.on('wsClientError', (err: Error, socket: Duplex) => {
      const pending = this.listener.pendingOf(socket);
      if (pending) this.listener.fail(pending, 'handshake.failed', ErrorCode.PROTO_MALFORMED, `bad WebSocket upgrade request: ${err.message}`);
      socket.destroy();
    });
  }

  /** Listens, then starts dialing every configured peer. */
  static async start(options: TransportOptions): Promise<Transport> {
    const transport = new Transport(options);
    transport.listener = await Listener.listen({
      host: options.listenHost,
      port: options.port,
      tls: options.tls,
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      admission: new Admission<PendingConnection>({ ...DEFAULT_ADMISSION, ...options.admission }),
      report: (event, address, code, reason, peer) => transport.logFailure(event, 'in', address, peer, code, reason),
      onUpgrade: (req, socket, head, pending) => transport.onUpgrade(req, socket, head, pending),
    });
    transport.log.info('transport.listening', {
      peer: options.peerId,
      address: options.listenHost,
      port: transport.port,
      tls: options.tls !== null,
      ...(options.tls ? { fingerprint: options.tls.fingerprint } : {}),
    });
    for (const peer of options.peers) transport.addPeer(peer);
    return transport;
  }

  get port(): number {
    return this.listener.port;
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
    this.failures.stop();
    await this.listener.close();
  }

  // --- accepting ---------------------------------------------------------------

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, pending: PendingConnection): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.accept(ws, socket, pending));
  }

  private async accept(ws: WebSocket, socket: Duplex, pending: PendingConnection): Promise<void> {
    const channel = new FrameChannel(ws, pending.address);
    pending.channel = channel;
    const conn = await this.handshake(channel, 'in', channelBinding(socket as ExportingSocket), {}, pending);
    this.listener.settle(pending);
    if (conn) this.register(conn);
  }

  // --- dialing -----------------------------------------------------------------

  private async dialOnce(peer: PeerAddress, text: string): Promise<DialOutcome> {
    if (this.stopped) return { linked: false, code: ErrorCode.CONNECTION_CLOSED };
    const tls = this.options.tls !== null;
    const ws = new WebSocket(`${tls ? 'wss' : 'ws'}://${text}${WS_PATH}`, {
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: false,
      handshakeTimeout: this.options.handshakeTimeoutMs,
      generateMask: zeroMask,
      // Any certificate: the channel binding in the handshake authenticates the channel.
      ...(tls ? { rejectUnauthorized: false, minVersion: 'TLSv1.3' as const } : {}),
    });
    let socket: ExportingSocket | undefined;
    ws.once('upgrade', (res: IncomingMessage) => (socket = res.socket as ExportingSocket));
    let tlsError: Error | undefined;
    ws.on('error', (err) => (tlsError ??= /wrong version number|packet length too long|unknown protocol/i.test(err.message) ? err : undefined));
    const channel = new FrameChannel(ws, text);
    ws.on('unexpected-response', (_req, res: IncomingMessage) => {
      const code = res.headers[ERROR_HEADER];
      if (code === ErrorCode.TLS_MISMATCH) channel.close(ErrorCode.TLS_MISMATCH, 'the peer requires TLS; we run with --no-tls: start both peers with --no-tls or neither');
      else channel.close(ErrorCode.PROTO_UNEXPECTED, `the peer answered the WebSocket upgrade with HTTP ${res.statusCode}`);
    });
    this.outgoing.add(channel);
    try {
      let opened = await new Promise<CloseInfo | null>((resolve) => {
        ws.once('open', () => resolve(null));
        channel.onClose((info) => resolve(info));
      });
      if (opened && tlsError) {
        opened = { ...opened, code: ErrorCode.TLS_MISMATCH, message: 'the peer answered without TLS (it runs with --no-tls); we use TLS: start both peers with --no-tls or neither' };
      }
      if (opened) {
        const event = opened.code === ErrorCode.TLS_MISMATCH ? 'tls.mismatch' : 'dial.failed';
        this.logFailure(event, 'out', text, undefined, opened.code, opened.message);
        return { linked: false, code: opened.code };
      }
      const timer = setTimeout(() => channel.close(ErrorCode.HANDSHAKE_TIMEOUT, `handshake not completed within ${this.options.handshakeTimeoutMs} ms`), this.options.handshakeTimeoutMs);
      timer.unref();
      const claimed: ClaimedId = {};
      const conn = await this.handshake(channel, 'out', channelBinding(socket), claimed);
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

  private async handshake(channel: FrameChannel, direction: Direction, binding: Uint8Array, claimed: ClaimedId = {}, pending?: PendingConnection): Promise<WsPeerConnection | null> {
    try {
      const result = direction === 'in'
        ? await listenerHandshake(channel, this.context, claimed, binding)
        : await dialerHandshake(channel, this.context, claimed, binding);
      if (pending) this.listener.trust(pending);
      // A success ends an outbound failure streak: the next failure is worth a line again.
      else this.failures.forget(`out|${channel.remoteAddress}|`);
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
      if (pending?.reported) return null; // evicted or timed out: said already
      if (pending && HOSTILE_CODES.has(failure.code)) this.listener.fail(pending, event, failure.code, failure.message, claimed.peerId);
      else this.logFailure(event, direction, channel.remoteAddress, claimed.peerId, failure.code, failure.message);
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

  /**
   * Inbound: one line per (event, remote host, code) streak, whatever peer id,
   * port or message the remote picks; a TLS mismatch is one line per host in
   * either direction. Outbound: per (event, address, reason), as a dial streak.
   */
  private logFailure(event: string, direction: Direction, addressText: string, peer: string | undefined, code: ErrorCode, reason: string): void {
    const fields = { address: addressText, direction, ...(peer ? { peer } : {}), code, reason };
    const host = addressText.replace(/:\d+$/, '');
    const key =
      event === 'tls.mismatch' ? `tls|${host}`
      : direction === 'in' ? `in|${event}|${host}|${code}`
      : `out|${addressText}|${event}|${code}|${reason}`;
    this.failures.report(key, event, fields, event === 'dial.failed' ? 'info' : 'warn');
  }
}
