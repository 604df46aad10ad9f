/**
 * A running leftsync node: identity, index, scanner, watcher, transport, and
 * one sync session per linked peer. This is where the data flow is assembled:
 * scan -> chunk -> index -> announce -> reconcile -> pull -> verify -> apply.
 */
import { chunkerParams } from '../chunker/params.js';
import type { NodeConfig } from '../config.js';
import { openIndex } from '../db/sqlite-index.js';
import { ErrorCode, LeftsyncError } from '../errors.js';
import type { IndexEntry } from '../model/entries.js';
import { ShareGuard, isShareMissing, prepareShare } from '../fs/share-guard.js';
import { createLogger } from '../log.js';
import { createScanLock } from '../scanner/scan-lock.js';
import { createScanner } from '../scanner/scanner.js';
import type { ScanResult } from '../scanner/scan-types.js';
import { DiskFull, isDiskFull } from '../transfer/disk-full.js';
import { GrowingFiles } from '../transfer/growing-files.js';
import { cleanStalePartials } from '../transfer/partials.js';
import { TokenBucket } from '../transfer/rate-limit.js';
import type { TransferStats } from '../transfer/stats.js';
import type { PeerConnection } from '../transport/connection.js';
import { loadOrCreateTlsIdentity } from '../transport/certificate.js';
import { Transport } from '../transport/transport.js';
import { sameAsIndexed } from '../watcher/unchanged.js';
import { startWatcher, type ShareWatcher } from '../watcher/watcher.js';
import { LEFTSYNC_VERSION } from '../version.js';
import { EventBus, type EventListener } from '../status/events.js';
import { NodeStatus, reportLocalChanges } from '../status/node-status.js';
import type { StatusServer } from '../status/server.js';
import { runDryRun, type DryRunSummary, type PlanItem } from './dry-run.js';
import { loadOrCreatePeerId } from './identity.js';
import { SessionSet } from './sessions.js';
import { StreamPublisher } from './stream-publish.js';
import { acquireStateLock } from './state-lock.js';

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
  /**
   * With config.dryRun: waits for the peers' indexes and reports, item by item,
   * what a real run would apply (see src/peer/dry-run.ts). Call stop() after it.
   */
  dryRun(onItem: (item: PlanItem) => void): Promise<DryRunSummary>;
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
  // Creates the share, its marker and the state folder on a first start, and nothing otherwise.
  // Before the lock: the lock file would make a new state folder look used.
  const device = await prepareShare(config.shareDir, config.stateDir);
  const lock = acquireStateLock(config.stateDir, config.shareDir);
  try {
    return await startLocked(config, hooks, device, lock.release);
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function startLocked(config: NodeConfig, hooks: NodeHooks, device: number | null, releaseLock: () => void): Promise<NodeHandle> {
  const share = new ShareGuard({ shareDir: config.shareDir, stateDir: config.stateDir, device });
  const peerId = await loadOrCreatePeerId(config.stateDir);
  const events = new EventBus();
  if (hooks.onEvent) events.subscribe(hooks.onEvent);
  const chunker = chunkerParams(config.engine);
  const index = openIndex(config.stateDir, peerId);
  const cleanup = await cleanStalePartials(index, config.stateDir);
  // Streaming sync: large files publish their chunks while hashed; peers' growing files are fetched ahead.
  const streams = {
    publisher: new StreamPublisher({ minBytes: config.streamMinBytes, paceMs: config.hashPaceMs, log: createLogger('stream') }),
    growing: new GrowingFiles({ index, stateDir: config.stateDir, log: createLogger('stream') }),
  };
  streams.growing.start();
  // Scans and apply steps take turns: one lock, held by the scanner and by every session's applier.
  const scanLock = createScanLock();
  // Reported and announced as recorded (announces coalesce; before the first link there is nobody to tell).
  const scanner = await createScanner({
    shareDir: config.shareDir,
    stateDir: config.stateDir,
    index,
    params: chunker,
    lock: scanLock,
    excludes: config.exclude ?? [],
    share,
    streams: streams.publisher,
    onRecorded: (entries) => {
      reportLocalChanges(events, entries);
      for (const entry of entries) logLocalChange(entry);
      sessions.announceAll();
    },
  });
  const disk = new DiskFull({ index, stateDir: config.stateDir });

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
    scanLock,
    share,
    disk,
    isIgnored: (relPath, isDir) => scanner.ignore.ignores(relPath, isDir),
    statsLogIntervalMs: config.statsIntervalMs,
    events,
    uploadLimit: config.uploadLimitBytesPerSec ? new TokenBucket(config.uploadLimitBytesPerSec) : undefined,
    planOnly: config.dryRun === true,
    streams,
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

  /**
   * A scan of a share that is missing does nothing: the guard has said so once
   * already. One that cannot record for lack of space waits for the next event
   * or rescan, told once with the rest of the full disk.
   */
  const scanned = async (scan: Promise<ScanResult>): Promise<ScanResult | null> => {
    try {
      const result = await scan;
      if (result.changedCount > 0) disk.written('local changes'); // only a scan that recorded something shows there is room
      announceIfChanged(result);
      return result;
    } catch (err) {
      if (isShareMissing(err)) return null;
      if (isDiskFull(err)) {
        disk.report('local changes', err);
        return null;
      }
      throw err;
    }
  };
  const startWatching = (): Promise<ShareWatcher> =>
    startWatcher({
      shareDir: config.shareDir,
      settleMs: config.settleMs,
      rescanIntervalMs: config.rescanIntervalMs,
      ignore: scanner.ignore,
      // Paths caught changing while hashed go back to the watcher, to wait until they settle.
      onPaths: async (paths) => (await scanned(scanner.scanPaths(paths)))?.unstable,
      // Files we placed or deleted ourselves are already recorded: no scan (and no scan lock) for them.
      isUnchanged: (relPath, stats) => sameAsIndexed(index.seenOf(relPath), stats, () => index.listUnder(relPath).some((e) => !e.deleted)),
      appliesDone: () => scanLock.exclusive(async () => undefined),
      onFullRescan: async () => void (await scanned(scanner.scanAll())),
    });

  // The startup scan runs before any peer is linked, so the first Index we send
  // is already current and nothing stale is reconciled against.
  await share.start();
  const initial = await scanned(scanner.scanAll());
  // From here on every local change gets its line (the startup scan's are summed up in scan.done).
  logLocalChanges = true;
  if (initial) log.info('scan.done', { hashed: initial.hashed, unchanged: initial.unchanged, changed: initial.changedCount, partialsKept: cleanup.kept });

  // Without its share the node waits: links up, index served, nothing scanned or applied.
  // When the share is back its folders are watched afresh (the old watches went with the
  // mount), it is scanned, and every peer's entries are looked at again.
  let watcher: ShareWatcher | null = share.present ? await startWatching() : null;
  let stopRequested = false;
  let resuming: Promise<void> = Promise.resolve();
  share.onBack(() => {
    resuming = resuming.then(async () => {
      if (stopRequested) return;
      await watcher?.stop();
      watcher = await startWatching();
      if (stopRequested) return void (await watcher.stop());
      await scanned(scanner.scanAll());
      sessions.reconsiderAll();
    }).catch((err: unknown) => log.error('share.resume_failed', { err }));
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
    tls: config.tls ? await loadOrCreateTlsIdentity(config.stateDir) : null,
    onConnection: (conn) => {
      sessions.attach(conn);
      status.tracker.linked(conn);
      hooks.onConnection?.(conn);
    },
  }).catch(async (err: unknown) => {
    share.stop();
    disk.close();
    await watcher?.stop();
    index.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new LeftsyncError(ErrorCode.PORT_IN_USE, `port ${config.port} is already in use on ${config.listenHost}: stop the other process or choose another --port`, { cause: err });
    }
    throw err;
  });
  const statusServer = await status.listen(config.stateDir, config.guiPort);
  log.info('node.started', { peer: peerId, port: transport.port, share: config.shareDir, state: config.stateDir, peers: config.peers.length, engine: chunker.engine });
  let stopping: Promise<void> | null = null;
  const stop = async (): Promise<void> => {
    // transport.stop() waits on an unref'd timer; with the watcher and the server
    // closed nothing else keeps the event loop alive, and Node would exit (code 13)
    // in the middle of this function, the index never closed.
    const keepAlive = setInterval(() => undefined, 1_000);
    try {
      stopRequested = true;
      share.stop();
      disk.close();
      await status.stop();
      await resuming;
      await watcher?.stop();
      // The links close first (synchronously, with LS_STOPPING, which the peers log);
      // the sessions then take no more work.
      const transportStopped = transport.stop();
      sessions.closeAll('node stopping');
      await transportStopped;
      // Let a scan or apply step that is under way finish before the index closes.
      await scanLock.exclusive(async () => undefined);
      await streams.growing.close();
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
    events,
    status: statusServer,
    stats: () => sessions.stats(),
    dryRun: (onItem) =>
      runDryRun({
        sessions: () => sessions.all(),
        index,
        isIgnored: (relPath, isDir) => scanner.ignore.ignores(relPath, isDir),
        expectedPeers: config.peers.length,
        onItem,
      }),
    stop: () => (stopping ??= stop()),
  };
}
