/**
 * A TCP relay for end-to-end tests: listens on 127.0.0.1 and forwards every
 * connection, byte for byte, to a peer's real port, so a test can cut the link
 * without touching either process. It forwards raw TCP, so it is the same with
 * or without TLS on top.
 *
 *  - blackhole(): nothing crosses any more, in either direction, and nothing is
 *    closed: like a route that drops every packet. Only the peers' liveness
 *    pings can notice. Reading is paused rather than the bytes discarded,
 *    because TCP retransmits dropped packets: a connection that outlives the
 *    black hole resumes intact, as it would on a real network. A close during
 *    the black hole reaches the other side only at heal(), like a FIN that
 *    is retransmitted once the route is back. New connections are accepted but
 *    get no answer until heal().
 *  - reset(): both sockets of every current connection are destroyed with a
 *    TCP RST; the relay keeps accepting, so the peers can redial at once.
 *  - heal(): forwarding resumes.
 *
 * bytesForwarded counts what actually crossed (both directions), so it is the
 * honest "bytes moved" of a link, TLS, WebSocket framing and index traffic included.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

interface Pipe {
  client: Socket;
  upstream: Socket | null;
  /** A side closed while the link was black-holed: close the other one at heal(). */
  closedDuringBlackhole: boolean;
}

export class Relay {
  bytesForwarded = 0;
  connections = 0;
  private blackholed = false;
  private readonly pipes = new Set<Pipe>();
  /** Every socket not yet closed, ending ones included: close() destroys them all. */
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly targetPort: number,
  ) {}

  /** Listens on 127.0.0.1:port (0: any free port) and forwards to 127.0.0.1:targetPort. */
  static async start(targetPort: number, port = 0): Promise<Relay> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('relay: no port');
    const relay = new Relay(server, address.port, targetPort);
    server.on('connection', (client) => relay.accept(client));
    return relay;
  }

  get isBlackholed(): boolean {
    return this.blackholed;
  }

  blackhole(): void {
    this.blackholed = true;
    for (const pipe of this.pipes) {
      pipe.client.pause();
      pipe.upstream?.pause();
    }
  }

  reset(): void {
    for (const pipe of [...this.pipes]) this.drop(pipe, true);
  }

  heal(): void {
    if (!this.blackholed) return;
    this.blackholed = false;
    for (const pipe of [...this.pipes]) {
      if (pipe.closedDuringBlackhole) this.drop(pipe, false);
      else if (pipe.upstream === null) this.connectUpstream(pipe);
      else {
        pipe.client.resume();
        pipe.upstream.resume();
      }
    }
  }

  /** Stops listening and destroys every socket (server.close() alone would wait for them). */
  async close(): Promise<void> {
    this.pipes.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.setNoDelay(true);
  }

  private accept(client: Socket): void {
    this.connections += 1;
    const pipe: Pipe = { client, upstream: null, closedDuringBlackhole: false };
    this.pipes.add(pipe);
    this.track(client);
    client.on('close', () => this.sideClosed(pipe));
    if (this.blackholed) client.pause();
    else this.connectUpstream(pipe);
  }

  private connectUpstream(pipe: Pipe): void {
    const upstream = createConnection({ host: '127.0.0.1', port: this.targetPort });
    pipe.upstream = upstream;
    this.track(upstream);
    upstream.on('close', () => this.sideClosed(pipe));
    this.forward(pipe.client, upstream);
    this.forward(upstream, pipe.client);
  }

  /** Copies from -> to with backpressure; pausing `from` is also how the black hole holds bytes back. */
  private forward(from: Socket, to: Socket): void {
    from.on('data', (data: Buffer) => {
      this.bytesForwarded += data.length;
      if (!to.write(data)) from.pause();
    });
    to.on('drain', () => {
      if (!this.blackholed) from.resume();
    });
  }

  private sideClosed(pipe: Pipe): void {
    if (!this.pipes.has(pipe)) return;
    if (this.blackholed) pipe.closedDuringBlackhole = true;
    else this.drop(pipe, false);
  }

  private drop(pipe: Pipe, rst: boolean): void {
    this.pipes.delete(pipe);
    for (const socket of [pipe.client, pipe.upstream]) {
      if (socket === null || socket.destroyed) continue;
      if (rst) socket.resetAndDestroy();
      else {
        // end(), not destroy(): the last bytes written (a close frame) still go out.
        socket.end();
        setTimeout(() => socket.destroy(), 2_000).unref();
      }
    }
  }
}
