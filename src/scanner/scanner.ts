/**
 * The scanner: compares the share with the index and records what changed.
 * Unchanged files (same size, mtime and inode as indexed) are not read; changed
 * ones are hashed by streaming and recorded only if they held still meanwhile.
 * Scans run one at a time (a full scan and watcher batches queue up).
 */
import { lstatSync, type Dirent, type Stats } from 'node:fs';
import { readlink } from 'node:fs/promises';
import path from 'node:path';
import { fromSystemError } from '../errors.js';
import { matchesStats } from '../model/file-stats.js';
import { joinRelPath } from '../model/path.js';
import type { IndexEntry, SeenEntry, SyncIndex } from '../model/entries.js';
import { createLogger } from '../log.js';
import { eachLimited, isMissing, keepsPathRule, locate, observedOf, typeOf } from './lookup.js';
import { createIgnoreMatcher, type IgnoreMatcher } from './ignore.js';
import { MovedFiles, goneFirst } from './moved.js';
import { SmallHasher, hashWithStats } from './small-hash.js';
import { IndexWrites } from './index-writes.js';
import { indexChildren, livePathsUnder, type IndexChild } from './sweep.js';
import { list, type Listing } from './listing.js';
import type { ScanResult, Scanner, ScannerOptions } from './scan-types.js';

const log = createLogger('scanner');

/** How many entries of one directory are lstat'ed before the event loop gets a turn. */
const STAT_BATCH = 64;
/** Recorded entries a ScanResult keeps. */
export const MAX_CHANGED_KEPT = 10_000;
/** How many files are hashed at once (each holds at most one 1 MiB read buffer). */
const HASH_PARALLELISM = 4;

export async function createScanner(options: ScannerOptions): Promise<Scanner> {
  // The share's .leftsyncignore plus the built-in rules, the state folder always among them.
  const ignore = await createIgnoreMatcher(options.shareDir, options.stateDir, options.excludes);
  const serialized = <T>(job: () => Promise<T>): Promise<T> => options.lock.exclusive(job);
  return {
    ignore,
    scanAll: () => serialized(() => new ScanRun(options, ignore).all()),
    scanPaths: (paths) => serialized(() => new ScanRun(options, ignore).paths(paths)),
    exclusive: (job) => serialized(() => job((paths) => new ScanRun(options, ignore).paths(paths))),
  };
}

/** One scan: its counters, what it has seen, and the index lookups it uses. */
class ScanRun {
  private readonly result: ScanResult = { changed: [], changedCount: 0, hashed: 0, unchanged: 0, unstable: [], failed: [], heldPaths: 0 };
  /**
   * NFC paths found on disk (or deliberately kept) during this run. A full scan
   * drops a folder's names once the folder is swept (see sweep()); a batch of
   * paths keeps them to the end of the batch.
   */
  private readonly seen = new Set<string>();
  /** A full scan: seen paths are dropped folder by folder. */
  private full = false;
  /** Paths found in this run, for the log. */
  private found = 0;
  /** Directories we could not list: nothing below them may be declared deleted. */
  private readonly unreadable: string[] = [];
  private readonly writes: IndexWrites;
  /**
   * Paths found gone, recorded after the rest of the run: a renamed file's new name is
   * announced before the old name's tombstone, so a peer copies its chunks from the old file
   * (a file recognised as moved gets its tombstone right after its new name instead: see MovedFiles).
   */
  private goneFound: string[] = [];
  /** The files of a watcher batch found gone, by inode: a moved file is not hashed again (see MovedFiles). */
  private readonly moved = new MovedFiles();
  private readonly small = new SmallHasher(); // small files are hashed synchronously, many per event-loop turn

  constructor(
    private readonly opts: ScannerOptions,
    private readonly ignore: IgnoreMatcher,
  ) {
    this.writes = new IndexWrites(opts.index, (recorded) => {
      for (const entry of recorded) this.record(entry);
      opts.onRecorded?.(recorded);
    });
  }

  async all(): Promise<ScanResult> {
    const started = Date.now();
    await this.opts.share.check();
    if (await this.ignore.reload()) log.info('scan.ignore_rules_loaded');
    // Each folder compared with the index's pages of it, read as its walk starts: a
    // share of 100,000 files never has its whole index, nor a set of all its paths,
    // in memory at once (one folder's entries at a time, and those of the folders above).
    this.full = true;
    await this.walk('', this.opts.shareDir);
    await this.recordGone(this.goneFound);
    this.finish();
    log.info('scan.done', { ms: Date.now() - started, entries: this.found, ...this.counts() });
    return this.result;
  }

  async paths(paths: string[]): Promise<ScanResult> {
    await this.opts.share.check();
    if (paths.some((p) => p === '.leftsyncignore')) await this.ignore.reload();
    // Parents first, so a new folder is recorded before its files.
    const sorted = [...new Set(paths.map((p) => p.normalize('NFC')))].sort();
    const unique = await goneFirst(sorted, (p) => this.opts.index.seenOf(p)?.deleted === false, async (p) => (await locate(this.opts.shareDir, p)) !== null);
    for (const relPath of unique) {
      // Already examined by the walk of a folder earlier in this batch (a folder
      // that appeared is reported with everything in it): nothing new to learn.
      if (this.seen.has(relPath)) continue;
      if (!keepsPathRule(relPath)) {
        log.warn('scan.bad_path', { path: relPath });
        continue;
      }
      await this.ensureParents(relPath);
      await this.one(relPath);
    }
    await this.recordGone([...new Set(this.goneFound)].filter((p) => !this.seen.has(p) && !this.moved.taken(p)));
    this.finish();
    log.debug('scan.paths_done', { paths: unique.length, ...this.counts() });
    return this.result;
  }

  private counts() {
    const { changedCount, hashed, unchanged, unstable, failed } = this.result;
    return { changed: changedCount, hashed, unchanged, unstable: unstable.length, failed: failed.length };
  }

  private finish(): void {
    this.result.heldPaths = Math.max(this.result.heldPaths, this.seen.size);
    this.result.changed.sort((a, b) => a.sequence - b.sequence);
  }

  private lookup(relPath: string): IndexEntry | undefined {
    return this.opts.index.get(relPath);
  }

  /** Scans parents missing from the index (a file event can come before its folder's). */
  private async ensureParents(relPath: string): Promise<void> {
    const segments = relPath.split('/');
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join('/');
      const entry = this.lookup(parent);
      if (entry && !entry.deleted && entry.type === 'dir') continue;
      if (this.ignore.ignores(parent, true)) return;
      const found = await locate(this.opts.shareDir, parent).catch((err: unknown) => {
        this.fail(parent, err);
        return null;
      });
      if (!found) return;
      // A parent that is a link (or a file) is recorded as what it is; nothing below it is scanned.
      await this.examine(parent, found.stats, found.absPath);
      this.writes.commit();
      if (!found.stats.isDirectory()) return;
    }
  }

  /** Rescans one path given by an event: gone, a directory tree, or a single entry. */
  private async one(relPath: string): Promise<void> {
    const previous = this.opts.index.get(relPath);
    if (this.ignore.ignores(relPath, previous?.type === 'dir')) return;
    let stats: Stats | null = null;
    let absPath = '';
    try {
      const found = await locate(this.opts.shareDir, relPath);
      if (found) ({ stats, absPath } = found);
    } catch (err) {
      this.fail(relPath, err);
      return;
    }
    if (stats && this.ignore.ignores(relPath, stats.isDirectory())) return;
    const present = stats !== null && typeOf(stats) !== null;
    if (present) {
      await this.examine(relPath, stats!, absPath);
      this.writes.commit();
      // A folder's walk sweeps what is below it; what it found is committed before the next path.
      if (stats!.isDirectory()) {
        await this.walk(relPath, absPath);
        this.writes.commit();
        return;
      }
    }
    // Everything indexed below it is deleted (it is gone or no longer a folder),
    // and the path itself when it is gone.
    this.goneBelow(relPath);
    if (!present && previous) this.goneIf(previous);
  }

  /** Depth-first walk below `dirRel`: every entry examined, directories before their contents. */
  private async walk(dirRel: string, dirAbs: string, listing: Promise<Listing> = list(dirAbs)): Promise<void> {
    const listed = await listing;
    let dirents: Dirent[] = [];
    if ('dirents' in listed) dirents = listed.dirents;
    // Gone since its lstat: swept as empty (all below it gone). Unreadable: left as indexed.
    else if (!isMissing(listed.err) || dirRel === '') {
      this.unreadable.push(dirRel);
      this.fail(dirRel, listed.err);
      return;
    }
    // The index's view of this folder, read once in path order before anything in it
    // is recorded (scans hold the scan lock: no one else writes meanwhile): its files'
    // lookups and its sweep (a query per file cost more than this one read).
    const indexed = [...indexChildren(this.opts.index, dirRel)];
    const seenHere = new Map<string, SeenEntry>();
    for (const child of indexed) if (child.kind === 'entry') seenHere.set(child.path, child);
    /** Folders walked from here: each sweeps its own contents. */
    const walked = new Set<string>();
    const candidates: { rel: string; abs: string }[] = [];
    for (const dirent of dirents) {
      const rel = joinRelPath(dirRel, dirent.name.normalize('NFC'));
      const abs = path.join(dirAbs, dirent.name);
      if (this.ignore.ignores(rel, dirent.isDirectory())) continue;
      candidates.push({ rel, abs });
    }
    for (let from = 0; from < candidates.length; from += STAT_BATCH) {
      if (from > 0) await new Promise((resolve) => setImmediate(resolve)); // let I/O in (huge folders)
      const batch = candidates.slice(from, from + STAT_BATCH);
      // lstatSync: a synchronous lstat costs microseconds, a thread-pool round trip
      // several times that, and a rescan is mostly lstat. One batch blocks the event
      // loop for well under a millisecond; the await below yields between batches.
      const stats = batch.map(({ abs }) => {
        try {
          return lstatSync(abs);
        } catch (err) {
          return err as Error;
        }
      });
      const found: { rel: string; abs: string; st: Stats }[] = [];
      batch.forEach(({ rel, abs }, i) => {
        const st = stats[i]!;
        if (!(st instanceof Error)) found.push({ rel, abs, st });
        else if (!isMissing(st)) this.fail(rel, st);
      });
      // Several files are read at once (small files cost syscalls, not bandwidth);
      // each folder is recorded before the walk goes into it.
      // Unchanged files are settled here without a promise each (a restart over
      // 100,000 of them is mostly this); the rest are examined, a few at once.
      const toExamine = found.filter(({ rel, st }) => !this.unchangedFile(rel, st, seenHere.get(rel)));
      await eachLimited(toExamine, HASH_PARALLELISM, ({ rel, abs, st }) => this.examine(rel, st, abs));
      this.writes.commitIfDue();
      // Each folder's listing is asked for while the one before it is walked: waiting
      // for each readdir's thread-pool round trip was ~0.5 s of a restart over 1,000 folders.
      const folders = found.filter(({ st }) => st.isDirectory());
      let next = folders.length > 0 ? list(folders[0]!.abs) : null;
      for (let k = 0; k < folders.length; k++) {
        const { rel, abs } = folders[k]!;
        const listing = next!;
        next = k + 1 < folders.length ? list(folders[k + 1]!.abs) : null;
        walked.add(rel);
        await this.walk(rel, abs, listing);
      }
    }
    this.sweep(indexed, walked);
    this.result.heldPaths = Math.max(this.result.heldPaths, this.seen.size);
    if (this.full) for (const { rel } of candidates) this.seen.delete(rel);
  }

  /**
   * After the walk of a folder (`indexed`: the index's children of it, read before
   * the walk): what the index holds there that the walk did not see is gone, and so
   * is all below a child not walked as a folder (gone, ignored, a file or link now).
   */
  private sweep(indexed: IndexChild[], walked: Set<string>): void {
    for (const child of indexed) {
      if (child.kind === 'entry') this.goneIf(child);
      else if (!walked.has(child.path)) this.goneBelow(child.path);
    }
  }

  private goneBelow(dirRel: string): void {
    for (const entry of livePathsUnder(this.opts.index, dirRel)) this.goneIf(entry);
  }

  private see(relPath: string): void {
    if (this.seen.has(relPath)) return;
    this.seen.add(relPath);
    this.found++;
  }

  private fail(relPath: string, err: unknown): void {
    const error = fromSystemError(err, `scan ${relPath}`);
    this.see(relPath); // keep its index entry as it is
    this.result.failed.push({ path: relPath, error });
    log.warn('scan.failed', { path: relPath, err: error });
  }

  private record(entry: IndexEntry): void {
    this.result.changedCount++;
    if (this.result.changed.length < MAX_CHANGED_KEPT) this.result.changed.push(entry);
  }

  /** True (counted and marked seen) for a file the index holds exactly as it is: examine() would do nothing. */
  private unchangedFile(relPath: string, stats: Stats, previous: SeenEntry | undefined): boolean {
    if (!stats.isFile()) return false;
    if (!previous || previous.deleted || previous.type !== 'file' || !matchesStats(previous, stats) || previous.mode !== (stats.mode & 0o777)) return false;
    this.see(relPath);
    this.result.unchanged++;
    return true;
  }

  /** Compares one lstat'ed entry with the index and records it when it changed. */
  private async examine(relPath: string, stats: Stats, absPath: string): Promise<void> {
    const type = typeOf(stats);
    if (type === null) return;
    this.see(relPath);
    const previous = this.lookup(relPath);
    const live = previous && !previous.deleted && previous.type === type ? previous : undefined;
    const observed = observedOf(relPath, type, stats);
    const index = this.opts.index;

    if (type === 'dir') {
      // A folder's mtime moves with every child; only existence and mode are its state.
      if (live && live.mode === observed.mode) this.result.unchanged++;
      else this.writes.queue(() => index.recordLocalChange(observed, []));
      return;
    }

    if (type === 'symlink') {
      try {
        observed.symlinkTarget = await readlink(absPath);
      } catch (err) {
        if (!isMissing(err)) this.fail(relPath, err);
        else this.seen.delete(relPath);
        return;
      }
      if (live && live.symlinkTarget === observed.symlinkTarget) this.result.unchanged++;
      else this.writes.queue(() => index.recordLocalChange(observed, []));
      return;
    }

    if (live && matchesStats(live, stats)) {
      if (live.mode === observed.mode) this.result.unchanged++;
      else {
        const chunks = index.chunksOf(relPath);
        this.writes.queue(() => index.recordLocalChange({ ...observed, digest: live.digest }, chunks));
      }
      return;
    }

    const movedFrom = live === undefined ? this.moved.take(stats) : undefined;
    if (movedFrom !== undefined) {
      const chunks = index.chunksOf(movedFrom.path);
      this.writes.queue(() => index.recordLocalChange({ ...observed, digest: movedFrom.digest }, chunks));
      // The old name's tombstone right after the new name, not at the end of the batch: a peer sees the pair together and can move the file too.
      this.writes.queue(() => index.recordLocalDeletion(movedFrom.path));
      return;
    }
    // A large new file publishes its chunks while hashed (a known file's peers hold most of it: its tree costs less).
    const stream = previous === undefined || previous.deleted ? this.opts.streams?.begin(relPath, stats.size) : undefined;
    let signature, after;
    try {
      ({ signature, after } = await hashWithStats(this.small, absPath, stats, this.opts, stream?.onChunks));
    } catch (err) {
      stream?.end(false);
      if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'ELOOP') {
        this.seen.delete(relPath); // vanished (or became a link) while we looked: the next event tells
        return;
      }
      this.fail(relPath, err);
      return;
    }
    this.result.hashed++;
    if (!after || !matchesStats(observed, after) || signature.size !== stats.size) {
      stream?.end(false);
      // Still being written: skip this round, keep the old entry, let the next event or rescan take it.
      this.result.unstable.push(relPath);
      log.debug('scan.unstable', { path: relPath });
      return;
    }
    observed.digest = signature.digest;
    if (live && live.digest.equals(signature.digest) && live.mode === observed.mode && live.mtimeMs === observed.mtimeMs) {
      // Same bytes, same mtime, new inode (rewritten in place): nothing to announce.
      stream?.end(false);
      this.writes.queue(() => {
        index.recordInode(relPath, observed.inode);
        return undefined;
      });
      this.result.unchanged++;
      return;
    }
    stream?.end(true);
    this.writes.queue(() => index.recordLocalChange(observed, signature.chunks));
  }

  /** Notes an index entry as gone if it is live, this run did not see it, and it is not below an unreadable folder or ignored. */
  private goneIf(e: { path: string; type: IndexEntry['type']; deleted?: boolean }): void {
    if (e.deleted === true || this.seen.has(e.path)) return;
    if (this.unreadable.some((dir) => dir === '' || e.path.startsWith(`${dir}/`))) return;
    if (this.ignore.ignores(e.path, e.type === 'dir')) return;
    this.goneFound.push(e.path);
    // It may turn up under a new name in the same watcher batch (a full scan would hold every gone entry).
    if (!this.full && e.type === 'file') this.moved.noteGone(this.opts.index.get(e.path));
  }

  /**
   * These paths become tombstones, children before parents, if the share is
   * still there: one unmounted during the walk lost its folders under it, not its files.
   */
  private async recordGone(paths: string[]): Promise<void> {
    if (paths.length > 0) await this.opts.share.check();
    paths.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    for (const relPath of paths) this.writes.queue(() => this.opts.index.recordLocalDeletion(relPath));
    this.writes.commit();
  }
}
