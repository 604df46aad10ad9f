/**
 * One fs.watch (one inotify watch on Linux) per folder of the share, never per
 * file: a folder's watch already names the child that was created, renamed,
 * deleted, written or chmod-ed. An event costs at most one lstat of that child,
 * so N files arriving in one folder cost O(N), not O(N^2) as with chokidar,
 * which re-reads and stats the whole folder after every change in it.
 * Only a folder that appears is read (to watch it and report what it already
 * holds). What a folder's contents mean is the scanner's job; this only says
 * which share-relative paths were touched.
 */
import { watch, type FSWatcher, type Stats } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { lstatIfReadable } from '../fs/paths.js';
import type { Logger } from '../log.js';
import { joinRelPath, parentRelPath } from '../model/path.js';

export interface DirWatchesOptions {
  shareDir: string;
  /** True for share-relative paths that are never watched nor reported. */
  isIgnored(relPath: string, isDir: boolean): boolean;
  /**
   * A share-relative path ('/' separated) something happened to. `whole`: a
   * folder whose events were lost, to be rescanned with everything in it.
   * `seen`: the lstat this event's handler took (null: nothing there), when no
   * later event touched the path before it returned (see onRename).
   */
  onPath(relPath: string, whole?: boolean, seen?: { stats: Stats | null }): void;
  log: Logger;
}

export class DirWatches {
  /** Watched folders by share-relative path ('' is the share root). */
  private readonly watches = new Map<string, FSWatcher>();
  /** The watched folders right inside each watched folder: forgetTree visits a subtree, not every watch. */
  private readonly children = new Map<string, Set<string>>();
  private closed = false;
  private warnedLimit = false;

  constructor(private readonly options: DirWatchesOptions) {}

  /** Number of folders watched. */
  get size(): number {
    return this.watches.size;
  }

  /**
   * Watches `relDir` and every folder under it (symlinks are not followed).
   * With `report`, every path found under it is reported too: a folder that
   * appears may already hold files whose own events came before its watch.
   */
  async watchTree(relDir: string, report: boolean): Promise<void> {
    if (this.closed || this.watches.has(relDir)) return;
    // A folder is watched only while its parent is (the walk below may resume after
    // the parent's watch ended): nothing would report it gone.
    if (relDir !== '' && !this.watches.has(parentRelPath(relDir))) return;
    // Watch first, then read: a child created in between is seen by one or the other.
    if (!this.watchOne(relDir)) return;
    let entries;
    try {
      entries = await readdir(this.absolute(relDir), { withFileTypes: true });
    } catch (err) {
      // Gone or replaced meanwhile: its parent's event says so.
      this.options.log.debug('watcher.readdir_failed', { path: relDir, err });
      return;
    }
    const subdirs: string[] = [];
    for (const entry of entries) {
      const rel = joinRelPath(relDir, entry.name);
      const isDir = entry.isDirectory();
      if (this.options.isIgnored(rel, isDir)) continue;
      if (report) this.options.onPath(rel);
      if (isDir) subdirs.push(rel);
    }
    for (const sub of subdirs) await this.watchTree(sub, report);
  }

  /** Stops every watch; no path is reported afterwards. */
  close(): void {
    this.closed = true;
    for (const watcher of this.watches.values()) watcher.close();
    this.watches.clear();
    this.children.clear();
  }

  private absolute(relPath: string): string {
    return relPath === '' ? this.options.shareDir : path.join(this.options.shareDir, ...relPath.split('/'));
  }

  private watchOne(relDir: string): boolean {
    let watcher: FSWatcher;
    try {
      watcher = watch(this.absolute(relDir), { persistent: true, encoding: 'utf8' }, (event, name) => {
        this.onEvent(relDir, event, name);
      });
    } catch (err) {
      this.watchFailed(relDir, err);
      return false;
    }
    watcher.on('error', (err) => {
      // A folder deleted under its watch ends like this; its parent reports the path.
      // The folders under it go too: none is watched without its parent (see watchTree).
      this.forgetTree(relDir);
      this.options.log.debug('watcher.watch_error', { path: relDir, err });
    });
    this.watches.set(relDir, watcher);
    if (relDir !== '') {
      const parent = parentRelPath(relDir);
      let siblings = this.children.get(parent);
      if (siblings === undefined) this.children.set(parent, (siblings = new Set()));
      siblings.add(relDir);
    }
    return true;
  }

  private watchFailed(relDir: string, err: unknown): void {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return; // gone already: its parent's event covers it
    if (!this.warnedLimit) {
      // ENOSPC here is the inotify watch limit (fs.inotify.max_user_watches), not a full disk.
      this.warnedLimit = true;
      this.options.log.warn('watcher.watch_failed', { path: relDir, err, msg: 'the periodic rescan still covers this folder' });
    }
  }

  private onEvent(relDir: string, event: string, name: string | null): void {
    if (this.closed) return;
    if (name === null || name === '') {
      // No child named (queue overflow): the folder itself is rescanned, all of it.
      if (relDir !== '') this.options.onPath(relDir, true);
      return;
    }
    const rel = joinRelPath(relDir, name);
    if (event === 'change') {
      // Content or attributes of an existing child: nothing to learn by stat.
      if (!this.options.isIgnored(rel, this.watches.has(rel))) this.options.onPath(rel);
      return;
    }
    // 'rename': the child appeared, disappeared or was replaced.
    void this.onRename(rel);
  }

  /**
   * The lstat tells a new folder (to watch) from anything else, and is handed on
   * with the path (the watcher's own lstat of the settled path would show the
   * same, one per file placed by the applier). It is taken before any later
   * event is handled: an event after it reports the path again, without one.
   * Synchronous: the applier's every placed file comes back as an event, and its
   * lstat is a dentry-cache hit of microseconds, where a thread-pool trip cost
   * ~20 us of this thread.
   */
  private async onRename(rel: string): Promise<void> {
    const stats = lstatIfReadable(this.absolute(rel));
    if (this.closed) return;
    const isDir = stats?.isDirectory() ?? this.watches.has(rel);
    if (this.options.isIgnored(rel, isDir)) return;
    // Whatever was watched under this name is gone, moved or replaced (a watch
    // follows its inode, not the name); a folder now there is watched afresh.
    this.forgetTree(rel);
    this.options.onPath(rel, false, { stats });
    if (stats?.isDirectory()) await this.watchTree(rel, true);
  }

  private forget(relDir: string): void {
    const watcher = this.watches.get(relDir);
    if (watcher === undefined) return;
    watcher.close();
    this.watches.delete(relDir);
    if (relDir === '') return;
    const parent = parentRelPath(relDir);
    const siblings = this.children.get(parent);
    siblings?.delete(relDir);
    if (siblings?.size === 0) this.children.delete(parent);
  }

  /**
   * A folder that is gone (or is no folder any more) stops being watched, with all
   * under it: its subtree of watches, found through `children`, so removing a tree
   * of N folders costs O(N), where a walk over every watch per folder was
   * O(N x watches); a file's event costs one lookup.
   */
  private forgetTree(rel: string): void {
    const pending = [rel];
    while (pending.length > 0) {
      const dir = pending.pop()!;
      const under = this.children.get(dir);
      this.children.delete(dir);
      if (under !== undefined) pending.push(...under);
      this.forget(dir);
    }
  }
}
