/**
 * The default command: resolve options into a NodeConfig, start the node and run until SIGINT/SIGTERM.
 *
 * Secret: --secret or --secret-file (not both), else LEFTSYNC_SECRET. Without
 * any, leftsync refuses to start unless --insecure is given, and then warns
 * that anyone who can reach the port can write into the folder.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_PORT, DEFAULTS, type NodeConfig } from '../config.js';
import { ErrorCode, LeftsyncError } from '../errors.js';
import { createLogger, setLogFormat, setLogLevel } from '../log.js';
import { startNode } from '../peer/node.js';
import { parsePeerList } from '../transport/address.js';
import { printEventLine } from './json-events.js';

const log = createLogger('cli');

export interface RunOptions {
  ip?: string;
  port?: number;
  listen?: string;
  dir?: string;
  stateDir?: string;
  secret?: string;
  secretFile?: string;
  insecure?: boolean;
  engine?: string;
  pingInterval?: number;
  pingTimeout?: number;
  reconnectMax?: number;
  handshakeTimeout?: number;
  rescanInterval?: number;
  settle?: number;
  statsInterval?: number;
  logFormat?: string;
  verbose?: boolean;
  guiPort?: number;
  /** Print events as JSON lines on stdout. */
  json?: boolean;
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
    stateDir: resolve(options.stateDir ?? resolve(shareDir, '.leftsync')),
    listenHost: options.listen ?? DEFAULTS.listenHost,
    port: intOr(options.port, DEFAULTS.port),
    peers: parsePeerList(options.ip, DEFAULT_PORT),
    secret,
    insecure: secret === null,
    engine: options.engine ?? DEFAULTS.engine,
    pingIntervalMs: intOr(options.pingInterval, DEFAULTS.pingIntervalMs),
    pingTimeoutMs: intOr(options.pingTimeout, DEFAULTS.pingTimeoutMs),
    reconnectMaxMs: intOr(options.reconnectMax, DEFAULTS.reconnectMaxMs),
    handshakeTimeoutMs: intOr(options.handshakeTimeout, DEFAULTS.handshakeTimeoutMs),
    rescanIntervalMs: intOr(options.rescanInterval, DEFAULTS.rescanIntervalMs),
    settleMs: intOr(options.settle, DEFAULTS.settleMs),
    statsIntervalMs: intOr(options.statsInterval, DEFAULTS.statsIntervalMs),
    guiPort: intOr(options.guiPort, DEFAULTS.guiPort),
  };
  if (config.pingTimeoutMs <= config.pingIntervalMs) {
    throw new LeftsyncError(ErrorCode.USAGE, `--ping-timeout (${config.pingTimeoutMs}) must be larger than --ping-interval (${config.pingIntervalMs})`);
  }
  return config;
}

export async function runNode(options: RunOptions): Promise<void> {
  // The CLI default is "text"; LEFTSYNC_LOG_FORMAT=json still wins over that default.
  if (options.logFormat === 'json') setLogFormat('json');
  if (options.verbose) setLogLevel('debug');
  const config = await buildConfig(options);
  if (config.insecure) {
    log.warn('insecure', {
      msg: `running WITHOUT a secret (--insecure): anyone who can reach port ${config.port} can read and write ${config.shareDir}`,
    });
  } else if (options.insecure) {
    log.warn('insecure.ignored', { msg: '--insecure ignored: a secret is configured' });
  }
  // The node creates the share and state folders on a first start only (src/fs/share-guard.ts).
  const node = await startNode(config, options.json ? { onEvent: printEventLine } : {});
  await new Promise<void>((resolveStop) => {
    const stop = (signal: NodeJS.Signals): void => {
      log.info('node.stopping', { signal });
      node.stop().then(resolveStop, resolveStop);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
