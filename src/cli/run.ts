/**
 * The default command: resolve options into a NodeConfig, start the node and run until SIGINT/SIGTERM.
 *
 * Secret: --secret or --secret-file (not both), else LEFTSYNC_SECRET. Without
 * any, leftsync refuses to start unless --insecure is given, and then warns
 * that anyone who can reach the port can write into the folder.
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { DEFAULT_PORT, DEFAULTS, type NodeConfig } from '../config.js';
import { ErrorCode, LeftsyncError, fromSystemError } from '../errors.js';
import { createLogger, setLogFormat, setLogLevel } from '../log.js';
import { startNode, type NodeHandle } from '../peer/node.js';
import { parsePeerList } from '../transport/address.js';
import { logDryRunSummary, planPrinter } from './dry-run.js';
import { printEventLine } from './json-events.js';
import { TransferBars } from './progress.js';

const log = createLogger('cli');

export interface RunOptions {
  ip?: string;
  port?: number;
  listen?: string;
  dir?: string;
  state?: string;
  /** Old spelling of --state, still accepted. */
  stateDir?: string;
  exclude?: string[];
  secret?: string;
  secretFile?: string;
  insecure?: boolean;
  /** false with --no-tls (commander's negated option). */
  tls?: boolean;
  engine?: string;
  pingInterval?: number;
  pingTimeout?: number;
  reconnectMax?: number;
  handshakeTimeout?: number;
  rescanInterval?: number;
  settle?: number;
  statsInterval?: number;
  logFormat?: string;
  /** --log-format was on the command line (it then wins over LEFTSYNC_LOG_FORMAT). */
  logFormatGiven?: boolean;
  verbose?: boolean;
  guiPort?: number;
  /** Print events as JSON lines on stdout. */
  json?: boolean;
  quiet?: boolean;
  /** --bwlimit, bytes per second (parsed by byte-rate.ts); 0: no limit. */
  bwlimit?: number;
  /** --dry-run: print the plan, change nothing, exit. */
  dryRun?: boolean;
  /** Hidden (tests, bench): smallest file that streams while hashed, bytes. */
  streamMinBytes?: number;
  /** Hidden test hook: ms each hashed slice of a streaming file waits. */
  testHashPaceMs?: number;
}

/** The secret from the options and environment; null when none is configured. */
export async function resolveSecret(options: RunOptions, env: NodeJS.ProcessEnv = process.env): Promise<Buffer | null> {
  if (options.secret !== undefined && options.secretFile !== undefined) {
    throw new LeftsyncError(ErrorCode.USAGE, 'give either --secret or --secret-file, not both');
  }
  let secret: string | undefined;
  let source: string;
  if (options.secret !== undefined) {
    secret = options.secret;
    source = '--secret';
  } else if (options.secretFile !== undefined) {
    source = `--secret-file ${options.secretFile}`;
    try {
      secret = (await readFile(options.secretFile, 'utf8')).replace(/\r?\n$/, '');
    } catch (err) {
      throw new LeftsyncError(ErrorCode.BAD_INPUT, `cannot read the secret file ${options.secretFile}: ${(err as Error).message}`, { cause: err });
    }
    const mode = (await stat(options.secretFile)).mode;
    if ((mode & 0o077) !== 0) log.warn('secret.file_readable', { file: options.secretFile, msg: 'the secret file is readable by other users; chmod 600 it' });
  } else {
    secret = env.LEFTSYNC_SECRET;
    source = 'LEFTSYNC_SECRET';
  }
  if (secret === undefined) return null;
  if (secret === '') throw new LeftsyncError(ErrorCode.USAGE, `the secret from ${source} is empty`);
  return Buffer.from(secret, 'utf8');
}

function intOr(value: number | undefined, fallback: number): number {
  return value === undefined ? fallback : Number(value);
}

/** Builds the NodeConfig (no side effects besides reading the secret file). */
export async function buildConfig(options: RunOptions, env: NodeJS.ProcessEnv = process.env): Promise<NodeConfig> {
  const secret = await resolveSecret(options, env);
  if (secret === null && !options.insecure) {
    throw new LeftsyncError(
      ErrorCode.NO_SECRET,
      'no secret configured: use --secret-file FILE, LEFTSYNC_SECRET or --secret (the same on every peer), or --insecure to run without authentication',
    );
  }
  const shareDir = resolve(options.dir ?? './share');
  const config: NodeConfig = {
    shareDir,
    stateDir: resolve(options.state ?? options.stateDir ?? resolve(shareDir, '.leftsync')),
    listenHost: options.listen ?? DEFAULTS.listenHost,
    port: intOr(options.port, DEFAULTS.port),
    peers: parsePeerList(options.ip, DEFAULT_PORT),
    secret,
    insecure: secret === null,
    tls: options.tls !== false,
    engine: options.engine ?? DEFAULTS.engine,
    pingIntervalMs: intOr(options.pingInterval, DEFAULTS.pingIntervalMs),
    pingTimeoutMs: intOr(options.pingTimeout, DEFAULTS.pingTimeoutMs),
    reconnectMaxMs: intOr(options.reconnectMax, DEFAULTS.reconnectMaxMs),
    handshakeTimeoutMs: intOr(options.handshakeTimeout, DEFAULTS.handshakeTimeoutMs),
    rescanIntervalMs: intOr(options.rescanInterval, DEFAULTS.rescanIntervalMs),
    settleMs: intOr(options.settle, DEFAULTS.settleMs),
    statsIntervalMs: intOr(options.statsInterval, DEFAULTS.statsIntervalMs),
    guiPort: intOr(options.guiPort, DEFAULTS.guiPort),
    exclude: options.exclude ?? [],
    uploadLimitBytesPerSec: options.bwlimit ? Number(options.bwlimit) : 0,
    dryRun: options.dryRun === true,
    streamMinBytes: options.streamMinBytes,
    hashPaceMs: options.testHashPaceMs,
  };
  if (config.pingTimeoutMs <= config.pingIntervalMs) {
    throw new LeftsyncError(ErrorCode.USAGE, `--ping-timeout (${config.pingTimeoutMs}) must be larger than --ping-interval (${config.pingIntervalMs})`);
  }
  return config;
}

/**
 * The share folder, as rsync treats a destination: a missing last component may
 * be created (by the node, on a first start only: src/fs/share-guard.ts), a
 * missing parent or a path that is not a folder is refused before any work.
 */
async function checkShareDir(shareDir: string): Promise<void> {
  const found = await stat(shareDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw fromSystemError(err, `--dir ${shareDir}`);
  });
  if (found !== null) {
    if (!found.isDirectory()) throw new LeftsyncError(ErrorCode.BAD_INPUT, `--dir ${shareDir} is not a folder: name a folder to share`);
    return;
  }
  const parent = dirname(shareDir);
  const parentStats = await stat(parent).catch(() => null);
  if (parentStats === null || !parentStats.isDirectory()) {
    throw new LeftsyncError(ErrorCode.BAD_INPUT, `--dir ${shareDir}: its parent folder ${parent} does not exist (leftsync creates only the last folder)`);
  }
}

/** Refuses a port another process listens on, before the startup scan (which can take a while). */
async function checkPortFree(host: string, port: number): Promise<void> {
  await new Promise<void>((resolvePort, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(new LeftsyncError(ErrorCode.PORT_IN_USE, `port ${port} is already in use on ${host}: stop the other process or choose another --port`, { cause: err }));
      } else if (err.code === 'EADDRNOTAVAIL') {
        reject(new LeftsyncError(ErrorCode.BAD_INPUT, `--listen ${host} is not an address of this host`, { cause: err }));
      } else {
        reject(fromSystemError(err, `listening on ${host}:${port}`));
      }
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolvePort()));
  });
}

/** Exit code of a second signal during the stop: 128 + the signal's number, as shells report it. */
const FORCED_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };
/** A stop that takes longer than this is cut short (exit 1). */
export const STOP_DEADLINE_MS = 3_000;

export async function runNode(options: RunOptions): Promise<void> {
  // The CLI default is "text"; LEFTSYNC_LOG_FORMAT=json still wins over that default, not over --log-format.
  if (options.logFormat === 'json' || options.logFormatGiven) setLogFormat(options.logFormat === 'json' ? 'json' : 'text');
  if (options.verbose) setLogLevel('debug');
  if (options.quiet) setLogLevel('warn');
  const config = await buildConfig(options);
  await checkPortFree(config.listenHost, config.port);
  await checkShareDir(config.shareDir);
  if (config.insecure) {
    log.warn('insecure', {
      msg: `running WITHOUT a secret (--insecure): anyone who can reach port ${config.port} can read and write ${config.shareDir}`,
    });
  } else if (options.insecure) {
    log.warn('insecure.ignored', { msg: '--insecure ignored: a secret is configured' });
  }
  if (!config.tls) {
    log.warn('tls.off', { msg: 'running WITHOUT TLS (--no-tls): file contents cross the network unencrypted; every peer must also run with --no-tls' });
  }
  if (config.peers.length === 0) {
    log.info('node.no_peers', { port: config.port, msg: `no --ip given: waiting for peers to dial in on port ${config.port}` });
  }
  // Handlers first: a signal during the startup scan must stop the node too, not kill it.
  let stopping = false;
  let node: NodeHandle | null = null;
  let resolveStop!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStop = resolve));
  let deadline: NodeJS.Timeout | undefined;
  let failure: unknown = null;
  const stopNode = (started: NodeHandle): void => {
    started.stop().then(
      () => {
        clearTimeout(deadline);
        resolveStop();
      },
      (err: unknown) => {
        log.error('node.stop_failed', { err });
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // Safe at any instant: files reach the share only by atomic rename.
      log.warn('node.stop_forced', { signal, msg: 'second signal: exiting without finishing the stop' });
      process.exit(FORCED_EXIT[signal] ?? 1);
    }
    log.info('node.stopping', { signal });
    beginStop();
  };
  const beginStop = (): void => {
    stopping = true;
    // Armed at once: a signal during the startup scan waits for the scan, within the same bound.
    // Exiting then is as safe as SIGKILL (index transactions, atomic renames), only less tidy.
    deadline = setTimeout(() => {
      log.error('node.stop_timeout', { ms: STOP_DEADLINE_MS, msg: `the stop took longer than ${STOP_DEADLINE_MS} ms: exiting anyway` });
      process.exit(1);
    }, STOP_DEADLINE_MS);
    if (node !== null) stopNode(node);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Bars only for a person at a terminal; --json and -q ask for quiet, machine-readable output.
  const bars = !config.dryRun && !options.json && !options.quiet && process.stderr.isTTY === true ? new TransferBars({ stream: process.stderr, routeLogs: true }) : null;
  const onEvent = config.dryRun ? undefined : options.json ? printEventLine : bars ? bars.listener : undefined;
  node = await startNode(config, onEvent ? { onEvent } : {});
  if (stopping) stopNode(node);
  else if (config.dryRun) {
    node
      .dryRun(planPrinter(options.json === true))
      .then(
        (summary) => logDryRunSummary(summary, config.shareDir),
        (err: unknown) => (failure = err),
      )
      .finally(() => {
        if (!stopping) beginStop();
      });
  }
  await stopped;
  bars?.stop();
  if (failure !== null) throw failure;
}
