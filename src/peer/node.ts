/**
 * A running leftsync node: identity, index, scanner, watcher, transport, and
 * one sync session per linked peer. This is where the data flow is assembled:
 * scan -> chunk -> index -> announce -> reconcile -> pull -> verify -> apply.
 */
import { chunkerParams } from '../chunker/index.js';
import type { NodeConfig } from '../config.js';
import { openIndex } from '../index/index.js';
import { createLogger } from '../log.js';
import { createScanner, type ScanResult } from '../scanner/index.js';
import { cleanStalePartials } from '../transfer/partials.js';
import type { TransferStats } from '../transfer/stats.js';
import type { PeerConnection } from '../transport/connection.js';
import { loadOrCreateTlsIdentity } from '../transport/certificate.js';
import { Transport } from '../transport/transport.js';
import { sameAsIndexed, startWatcher } from '../watcher/index.js';
import { loadOrCreatePeerId } from './identity.js';
import { SessionSet } from './sessions.js';

const log = createLogger('node');

/** Reported in Hello (logs only). */
export const CLIENT_VERSION = '0.1.0';

export interface NodeHooks {
  /**
   * Called for every new authenticated link, after its sync session is attached.
   * When a link replaces an older one to the same peer (restart, duplicate), the
   * new one may be announced before the old one reports its close.
   */
  onConnection?: (conn: PeerConnection) => void;
}

export interface NodeHandle {
  readonly peerId: string;
  /** The port actually listened on. */
  readonly port: number;
  readonly transport: Transport;
  /** Byte counters per connected peer. */
  stats(): Record<string, TransferStats>;
  stop(): Promise<void>;
}

export async function startNode(config: NodeConfig, hooks: NodeHooks = {}): Promise<NodeHandle> {
  const peerId = await loadOrCreatePeerId(config.stateDir);
  const chunker = chunkerParams(config.engine);
  const index = openIndex(config.stateDir, peerId);
  const cleanup = await cleanStalePartials(index, config.stateDir);
  const scanner = await createScanner({ shareDir: config.shareDir, stateDir: config.stateDir, index, params: chunker });

  const sessions = new SessionSet({
    index,
    shareDir: config.shareDir,
    stateDir: config.stateDir,
    rescan: async (paths) => {
      announceIfChanged(await scanner.scanPaths(paths));
    },
    withScanPaused: (step) => scanner.exclusive(() => step()),
    isIgnored: (relPath, isDir) => scanner.ignore.ignores(relPath, isDir),
    statsLogIntervalMs: config.statsIntervalMs,
  });
  const announceIfChanged = (result: ScanResult): void => {
    if (result.changed.length > 0) sessions.announceAll();
  };

  // The startup scan runs before any peer is linked, so the first Index we send
  // is already current and nothing stale is reconciled against.
  const initial = await scanner.scanAll();
  log.info('scan.done', { hashed: initial.hashed, unchanged: initial.unchanged, changed: initial.changed.length, partialsKept: cleanup.kept });

  const watcher = await startWatcher({
    shareDir: config.shareDir,
    stateDir: config.stateDir,
    settleMs: config.settleMs,
    rescanIntervalMs: config.rescanIntervalMs,
    ignore: scanner.ignore,
    onPaths: async (paths) => announceIfChanged(await scanner.scanPaths(paths)),
    // Files we placed ourselves are already recorded: no scan (and no scan lock) for them.
    isUnchanged: (relPath, stats) => sameAsIndexed(index.get(relPath), stats),
    onFullRescan: async () => announceIfChanged(await scanner.scanAll()),
  });

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
    tls: config.tls ? await loadOrCreateTlsIdentity(config.stateDir) : null,
    onConnection: (conn) => {
      sessions.attach(conn);
      hooks.onConnection?.(conn);
    },
  });
  log.info('node.started', { peer: peerId, port: transport.port, share: config.shareDir, state: config.stateDir, peers: config.peers.length, engine: chunker.engine });
  return {
    peerId,
    port: transport.port,
    transport,
    stats: () => sessions.stats(),
    async stop() {
      await watcher.stop();
      sessions.closeAll();
      await transport.stop();
      // Let a scan or apply that is under way finish before the index closes.
      await scanner.exclusive(async () => undefined);
      index.close();
      log.info('node.stopped', { peer: peerId });
    },
  };
}
