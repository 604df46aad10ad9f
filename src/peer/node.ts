/**
 * A running leftsync node: identity, index, scanner, watcher, transport, and
 * one sync session per linked peer. This is where the data flow is assembled:
 * scan -> chunk -> index -> announce -> reconcile -> pull -> verify -> apply.
 */
import { chunkerParams } from '../chunker/params.js';
import type { NodeConfig } from '../config.js';
import { openIndex } from '../db/sqlite-index.js';
import { createLogger } from '../log.js';
import { createScanLock } from '../scanner/scan-lock.js';
import { createScanner, type ScanResult } from '../scanner/scanner.js';
import { cleanStalePartials } from '../transfer/partials.js';
import type { TransferStats } from '../transfer/stats.js';
import type { PeerConnection } from '../transport/connection.js';
import { Transport } from '../transport/transport.js';
import { sameAsIndexed } from '../watcher/unchanged.js';
import { startWatcher } from '../watcher/watcher.js';
import { LEFTSYNC_VERSION } from '../version.js';
import { EventBus, type EventListener } from '../status/events.js';
import { NodeStatus, reportLocalChanges } from '../status/node-status.js';
import type { StatusServer } from '../status/server.js';
import { loadOrCreatePeerId } from './identity.js';
import { SessionSet } from './sessions.js';

const log = createLogger('node');

export interface NodeHooks {
  /**
   * Called for every new authenticated link, after its sync session is attached.
   * When a link replaces an older one to the same peer (restart, duplicate), the
   * new one may be announced before the old one reports its close.
   */
  onConnection?: (conn: PeerConnection) => void;
  /** Called for every event (src/status/events.ts), from the first scan on (`leftsync --json`). */
  onEvent?: EventListener;
}

export interface NodeHandle {
  readonly peerId: string;
  /** The port actually listened on. */
  readonly port: number;
  readonly transport: Transport;
  /** Every event of this node; /rest/events and --json read it. */
  readonly events: EventBus;
  /** The status endpoint on 127.0.0.1. */
  readonly status: StatusServer;
  /** Byte counters per connected peer. */
  stats(): Record<string, TransferStats>;
  stop(): Promise<void>;
}

export async function startNode(config: NodeConfig, hooks: NodeHooks = {}): Promise<NodeHandle> {
  const peerId = await loadOrCreatePeerId(config.stateDir);
  const events = new EventBus();
  if (hooks.onEvent) events.subscribe(hooks.onEvent);
  const chunker = chunkerParams(config.engine);
  const index = openIndex(config.stateDir, peerId);
  const cleanup = await cleanStalePartials(index, config.stateDir);
  // Scans and apply steps take turns: one lock, held by the scanner and by every session's applier.
  const scanLock = createScanLock();
  // Reported and announced as recorded (announces coalesce; before the first link there is nobody to tell).
  const scanner = await createScanner({
    shareDir: config.shareDir,
    stateDir: config.stateDir,
    index,
    params: chunker,
    lock: scanLock,
    onRecorded: (entries) => {
      reportLocalChanges(events, entries);
      sessions.announceAll();
    },
  });

  const sessions = new SessionSet({
    index,
    shareDir: config.shareDir,
    stateDir: config.stateDir,
    rescan: async (paths) => {
      announceIfChanged(await scanner.scanPaths(paths));
    },
    scanLock,
    isIgnored: (relPath, isDir) => scanner.ignore.ignores(relPath, isDir),
    statsLogIntervalMs: config.statsIntervalMs,
    events,
  });
  const status = new NodeStatus(events, {
    peerId,
    shareDir: config.shareDir,
    dialing: config.peers.map((p) => `${p.host}:${p.port}`),
    stats: () => sessions.stats(),
    pending: () => sessions.pending(),
  });
  const announceIfChanged = (result: ScanResult): void => {
    // Each change was reported and announced as it was recorded (onRecorded); this catches up anything queued since.
    if (result.changedCount > 0) sessions.announceAll();
  };

  // The startup scan runs before any peer is linked, so the first Index we send
  // is already current and nothing stale is reconciled against.
  const initial = await scanner.scanAll();
  log.info('scan.done', { hashed: initial.hashed, unchanged: initial.unchanged, changed: initial.changedCount, partialsKept: cleanup.kept });

  const watcher = await startWatcher({
    shareDir: config.shareDir,
    settleMs: config.settleMs,
    rescanIntervalMs: config.rescanIntervalMs,
    ignore: scanner.ignore,
    onPaths: async (paths) => {
      const result = await scanner.scanPaths(paths);
      announceIfChanged(result);
      return result.unstable;
    },
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
    // Reported in Hello (logs only).
    clientVersion: LEFTSYNC_VERSION,
    pingIntervalMs: config.pingIntervalMs,
    pingTimeoutMs: config.pingTimeoutMs,
    reconnectMaxMs: config.reconnectMaxMs,
    handshakeTimeoutMs: config.handshakeTimeoutMs,
    onConnection: (conn) => {
      sessions.attach(conn);
      status.tracker.linked(conn);
      hooks.onConnection?.(conn);
    },
  });
  const statusServer = await status.listen(config.stateDir, config.guiPort);
  log.info('node.started', { peer: peerId, port: transport.port, share: config.shareDir, state: config.stateDir, peers: config.peers.length, engine: chunker.engine });
  return {
    peerId,
    port: transport.port,
    transport,
    events,
    status: statusServer,
    stats: () => sessions.stats(),
    async stop() {
      await status.stop();
      await watcher.stop();
      sessions.closeAll();
      await transport.stop();
      // Let a scan or apply that is under way finish before the index closes.
      await scanLock.exclusive(async () => undefined);
      index.close();
      log.info('node.stopped', { peer: peerId });
    },
  };
}
