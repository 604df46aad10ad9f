/**
 * Watches the share with chokidar and turns its events into "rescan these paths"
 * batches once each path has settled; a periodic full rescan is the safety net
 * for anything the events miss (overflowed inotify queues, changes while down).
 */
import type { Stats } from 'node:fs';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { toRelativePath } from '../fs/index.js';
import { createLogger } from '../log.js';
import type { IgnoreMatcher } from '../scanner/ignore.js';
import { createPathDebouncer } from './debounce.js';

const log = createLogger('watcher');

export interface WatcherOptions {
  shareDir: string;
  /** Never watched (temp files and the index churn there). */
  stateDir: string;
  /** A path must be quiet this long before it is delivered, ms (config.settleMs). */
  settleMs: number;
  /** Period of the full rescan, ms (config.rescanIntervalMs); 0 disables it. */
  rescanIntervalMs: number;
  /** Events under ignored paths are dropped (the scanner would skip them anyway). */
  ignore?: IgnoreMatcher;
  /** Settled share-relative paths ('/' separated, as named on disk), sorted. */
  onPaths(paths: string[]): void | Promise<void>;
  onFullRescan(): void | Promise<void>;
}

export interface ShareWatcher {
  /** Paths seen but not yet settled. */
  pending(): number;
  /** Stops events, timers and chokidar; nothing is delivered after it resolves. */
  stop(): Promise<void>;
}

/** Starts watching; resolves once chokidar has finished its initial crawl. */
export async function startWatcher(options: WatcherOptions): Promise<ShareWatcher> {
  const shareDir = path.resolve(options.shareDir);
  const stateDir = path.resolve(options.stateDir);
  let stopped = false;

  const run = (what: string, job: () => void | Promise<void>) => {
    if (stopped) return;
    try {
      Promise.resolve(job()).catch((err: unknown) => log.error('watcher.callback_failed', { what, err }));
    } catch (err) {
      log.error('watcher.callback_failed', { what, err });
    }
  };

  const debouncer = createPathDebouncer(options.settleMs, (paths) => run('paths', () => options.onPaths(paths)));

  const isIgnored = (absPath: string, stats?: Stats): boolean => {
    if (absPath === stateDir || absPath.startsWith(stateDir + path.sep)) return true;
    const rel = toRelativePath(shareDir, absPath);
    if (rel === null || options.ignore === undefined) return false;
    return options.ignore.ignores(rel, stats?.isDirectory() ?? false);
  };

  const watcher: FSWatcher = watch(shareDir, {
    ignoreInitial: true,
    followSymlinks: false,
    persistent: true,
    ignored: isIgnored,
  });
  watcher.on('all', (event, absPath) => {
    const rel = toRelativePath(shareDir, absPath);
    if (rel === null) return;
    log.debug('watcher.event', { event, path: rel });
    debouncer.touch(rel);
  });
  watcher.on('error', (err) => log.warn('watcher.error', { err, msg: 'the periodic rescan still covers changes' }));
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));

  const rescanTimer =
    options.rescanIntervalMs > 0 ? setInterval(() => run('rescan', options.onFullRescan), options.rescanIntervalMs) : null;
  log.info('watcher.started', { dir: shareDir, settleMs: options.settleMs, rescanIntervalMs: options.rescanIntervalMs });

  return {
    pending: () => debouncer.size,
    async stop() {
      stopped = true;
      debouncer.stop();
      if (rescanTimer !== null) clearInterval(rescanTimer);
      await watcher.close();
    },
  };
}
