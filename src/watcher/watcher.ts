/**
 * Watches every folder of the share (DirWatches: one watch per folder, the
 * changed child named by each event) and turns the events into "rescan these
 * paths" batches, at once for a quiet path and once it settles for one that
 * keeps changing (createPathDebouncer); a periodic full rescan is the
 * safety net for anything the events miss (overflowed inotify queues, the
 * inotify watch limit, changes while down).
 *
 * Not chokidar: it re-reads and stats a whole folder after every change in it,
 * which made 1000 files arriving in one folder cost ~1000 x 1000 lstat calls
 * and half the receiver's CPU; its per-file watches add nothing here, since
 * the scanner, not the watcher, decides what a change means.
 */
import { lstat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../log.js';
import type { IgnoreMatcher } from '../scanner/ignore.js';
import { createPathDebouncer } from './debounce.js';
import { DirWatches } from './dir-watches.js';

const log = createLogger('watcher');

export interface WatcherOptions {
  shareDir: string;
  /** A path that keeps changing must be quiet this long before it is scanned, ms (config.settleMs); see createPathDebouncer. */
  settleMs: number;
  /** Period of the full rescan, ms (config.rescanIntervalMs); 0 disables it. */
  rescanIntervalMs: number;
  /** Events under ignored paths (the state folder among them) are dropped: the scanner would skip them anyway. */
  ignore: IgnoreMatcher;
  /**
   * Share-relative paths ('/' separated, as named on disk), sorted, to scan.
   * May return the paths that changed while they were hashed: they wait to settle.
   */
  onPaths(paths: string[]): void | string[] | Promise<void | string[]>;
  /**
   * True when the path on disk is exactly as already indexed (see sameAsIndexed;
   * `stats` null: gone from disk): such settled paths are not delivered. Omitted: every settled path is.
   */
  isUnchanged?(relPath: string, stats: Stats | null): boolean;
  /**
   * Resolves once the apply steps queued so far have finished (the scan lock's
   * queue). Settled paths are judged after it: a file the applier renamed into
   * place is recorded only once the rename is durable, and judged before that
   * it looked like a local change (a scan, waiting for that same lock, per file).
   */
  appliesDone?(): Promise<void>;
  onFullRescan(): void | Promise<void>;
}

export interface ShareWatcher {
  /** Paths seen but not yet settled. */
  pending(): number;
  /** Stops events, timers and folder watches; nothing is delivered after it resolves. */
  stop(): Promise<void>;
}

/** Starts watching; resolves once every folder of the share is watched. */
export async function startWatcher(options: WatcherOptions): Promise<ShareWatcher> {
  const shareDir = path.resolve(options.shareDir);
  let stopped = false;

  const run = (what: string, job: () => void | Promise<void>) => {
    if (stopped) return;
    try {
      Promise.resolve(job()).catch((err: unknown) => log.error('watcher.callback_failed', { what, err }));
    } catch (err) {
      log.error('watcher.callback_failed', { what, err });
    }
  };

  const isUnchanged = options.isUnchanged;
  /** Folders to rescan whole (their events were lost): never dropped as unchanged. */
  const wholeTrees = new Set<string>();
  /**
   * The lstat an event's handler took of a path no event touched since (see
   * DirWatches.onRename): the settled path's state, so not taken again. Most
   * are files the applier just renamed into place: one lstat each instead of two.
   */
  const seenAtEvent = new Map<string, Stats | null>();
  /** The settled paths worth a scan; the lstat calls run here, not inside the scan lock. */
  const worthScanning = async (paths: string[]): Promise<string[]> => {
    if (isUnchanged === undefined) return paths;
    await options.appliesDone?.();
    const keep = await Promise.all(
      paths.map(async (relPath) => {
        const seen = seenAtEvent.get(relPath);
        seenAtEvent.delete(relPath);
        if (wholeTrees.delete(relPath)) return true;
        if (relPath !== relPath.normalize('NFC')) return true; // the scanner's lookup normalizes; let it judge
        const stats = seen !== undefined ? seen : await lstat(path.join(shareDir, ...relPath.split('/'))).catch(() => null);
        return !isUnchanged(relPath, stats);
      }),
    );
    return paths.filter((_, i) => keep[i]);
  };
  const debouncer = createPathDebouncer(options.settleMs, (settled) =>
    run('paths', async () => {
      const paths = await worthScanning(settled);
      if (paths.length === 0 || stopped) return;
      const unstable = await options.onPaths(paths);
      for (const relPath of unstable ?? []) debouncer.unsettled(relPath);
    }),
  );

  const watches = new DirWatches({
    shareDir,
    isIgnored: (relPath, isDir) => options.ignore.ignores(relPath, isDir),
    onPath: (relPath, whole, seen) => {
      if (stopped) return;
      if (whole === true) {
        wholeTrees.add(relPath);
        seenAtEvent.clear(); // taken before events that were lost
      }
      if (seen !== undefined) seenAtEvent.set(relPath, seen.stats);
      else seenAtEvent.delete(relPath);
      log.debug('watcher.event', { path: relPath });
      debouncer.touch(relPath);
    },
    log,
  });
  await watches.watchTree('', false);

  const rescanTimer =
    options.rescanIntervalMs > 0 ? setInterval(() => run('rescan', options.onFullRescan), options.rescanIntervalMs) : null;
  log.info('watcher.started', { dir: shareDir, folders: watches.size, settleMs: options.settleMs, rescanIntervalMs: options.rescanIntervalMs });

  return {
    pending: () => debouncer.size,
    async stop() {
      stopped = true;
      debouncer.stop();
      if (rescanTimer !== null) clearInterval(rescanTimer);
      watches.close();
    },
  };
}
