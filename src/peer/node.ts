/**
 * A running leftsync node: its identity plus the transport. The sync engine
 * attaches to each authenticated link through `onConnection`; without it the
 * node only keeps links up and logs them.
 */
import { chunkerParams } from '../chunker/index.js';
import type { NodeConfig } from '../config.js';
import { createLogger } from '../log.js';
import type { PeerConnection } from '../transport/connection.js';
import { Transport } from '../transport/transport.js';
import { loadOrCreatePeerId } from './identity.js';

const log = createLogger('node');

/** Reported in Hello (logs only). */
export const CLIENT_VERSION = '0.1.0';

export interface NodeHooks {
  /**
   * Called once for every new authenticated link; register onFrame synchronously
   * (frames queue until then). When a link replaces an older one to the same
   * peer (restart, duplicate), the new one may be announced before the old one
   * reports its close: keep sessions per connection, not only per peer id.
   */
  onConnection?: (conn: PeerConnection) => void;
}

export interface NodeHandle {
  readonly peerId: string;
  /** The port actually listened on. */
  readonly port: number;
  readonly transport: Transport;
  stop(): Promise<void>;
}

export async function startNode(config: NodeConfig, hooks: NodeHooks = {}): Promise<NodeHandle> {
  const peerId = await loadOrCreatePeerId(config.stateDir);
  const chunker = chunkerParams(config.engine);
  const transport = await Transport.start({
    peerId,
    listenHost: config.listenHost,
    port: config.port,
    peers: config.peers,
    secret: config.secret,
    chunker,
    capabilities: [],
    clientVersion: CLIENT_VERSION,
    pingIntervalMs: config.pingIntervalMs,
    pingTimeoutMs: config.pingTimeoutMs,
    reconnectMaxMs: config.reconnectMaxMs,
    handshakeTimeoutMs: config.handshakeTimeoutMs,
    onConnection: hooks.onConnection,
  });
  log.info('node.started', { peer: peerId, port: transport.port, share: config.shareDir, state: config.stateDir, peers: config.peers.length, engine: chunker.engine });
  return {
    peerId,
    port: transport.port,
    transport,
    async stop() {
      await transport.stop();
      log.info('node.stopped', { peer: peerId });
    },
  };
}
