/**
 * A running leftsync node: identity, index, scanner, watcher, transport, and
 * one sync session per linked peer. This is where the data flow is assembled:
 * scan -> chunk -> index -> announce -> reconcile -> pull -> verify -> apply.
 */
import { chunkerParams } from '../chunker/index.js';
import type { NodeConfig } from '../config.js';
import { ErrorCode, LeftsyncError } from '../errors.js';
import { openIndex } from '../index/index.js';
import type { IndexEntry } from '../index/types.js';
import { createLogger } from '../log.js';
import { createIgnoreMatcher, createScanner, type ScanResult } from '../scanner/index.js';
import { cleanStalePartials } from '../transfer/partials.js';
import type { TransferStats } from '../transfer/stats.js';
import type { PeerConnection } from '../transport/connection.js';
import { Transport } from '../transport/transport.js';
import { sameAsIndexed, startWatcher } from '../watcher/index.js';
import { loadOrCreatePeerId } from './identity.js';
import { SessionSet } from './sessions.js';
import { acquireStateLock } from './state-lock.js';

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
  /**
   * Stops taking work, closes every link (the peer logs the reason "node
   * stopping"), lets a scan or apply step under way finish, closes the index
   * and releases the state folder's lock. Pulls in flight are abandoned: their
   * verified chunks are recorded and their temp files stay in the state folder,
   * so the next start resumes them; the share only ever sees whole files.
   * Calling it again returns the same promise.
   */
  stop(): Promise<void>;
}

export async function startNode(config: NodeConfig, hooks: NodeHooks = {}): Promise<NodeHandle> {
  const lock = acquireStateLock(config.stateDir, config.shareDir);
  try {
    return await startLocked(config, hooks, lock.release);
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function startLocked(config: NodeConfig, hooks: NodeHooks, releaseLock: () => void): Promise<NodeHandle> {
  const peerId = await loadOrCreatePeerId(config.stateDir);
  const chunker = chunkerParams(config.engine);
  const index = openIndex(config.stateDir, peerId);
  const cleanup = await cleanStalePartials(index, config.stateDir);
  const ignore = await createIgnoreMatcher(config.shareDir, config.stateDir, config.exclude ?? []);
  const scanner = await createScanner({ shareDir: config.shareDir, stateDir: config.stateDir, index, params: chunker, ignore });

  let logLocalChanges = false;
  const logLocalChange = (entry: IndexEntry): void => {
    if (!logLocalChanges) return;
    if (entry.deleted) log.info('local.deleted', { path: entry.path });
    else if (entry.type === 'dir') log.info('local.dir', { path: entry.path });
    else if (entry.type === 'symlink') log.info('local.symlink', { path: entry.path, target: entry.symlinkTarget });
    else log.info('local.changed', { path: entry.path, size: entry.size });
  };
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
    for (const entry of result.changed) logLocalChange(entry);
    if (result.changed.length > 0) sessions.announceAll();
  };

  // The startup scan runs before any peer is linked, so the first Index we send
  // is already current and nothing stale is reconciled against.
  const initial = await scanner.scanAll();
  // From here on every local change gets its line (the startup scan's are summed up in scan.done).
  logLocalChanges = true;
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
    onConnection: (conn) => {
      sessions.attach(conn);
      hooks.onConnection?.(conn);
    },
  }).catch(async (err: unknown) => {
    await watcher.stop();
    index.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new LeftsyncError(ErrorCode.PORT_IN_USE, `port ${config.port} is already in use on ${config.listenHost}: stop the other process or choose another --port`, { cause: err });
    }
    throw err;
  });
  log.info('node.started', { peer: peerId, port: transport.port, share: config.shareDir, state: config.stateDir, peers: config.peers.length, engine: chunker.engine });
  let stopping: Promise<void> | null = null;
  const stop = async (): Promise<void> => {
    // transport.stop() waits on an unref'd timer; with the watcher and the server
    // closed nothing else keeps the event loop alive, and Node would exit (code 13)
    // in the middle of this function, the index never closed.
    const keepAlive = setInterval(() => undefined, 1_000);
    try {
      await watcher.stop();
      // The links close first (synchronously, with LS_STOPPING, which the peers log);
      // the sessions then take no more work.
      const transportStopped = transport.stop();
      sessions.closeAll('node stopping');
      await transportStopped;
      // Let a scan or apply step that is under way finish before the index closes.
      await scanner.exclusive(async () => undefined);
      index.close();
      releaseLock();
      log.info('node.stopped', { peer: peerId });
    } finally {
      clearInterval(keepAlive);
    }
  };
  return {
    peerId,
    port: transport.port,
    transport,
    stats: () => sessions.stats(),
    stop: () => (stopping ??= stop()),
  };
}
