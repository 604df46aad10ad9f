/**
 * One syncfs(2) for a whole batch of small files instead of one fsync per file
 * and per folder: 10,000 files of 4 KiB became durable in ~1 s instead of
 * ~2.5-3.3 s on this disk, because the kernel writes the batch out in one pass
 * instead of four thread-pool threads waiting on the journal in turn.
 *
 * Node has no syncfs binding, so coreutils' `sync -f DIR` is run, by a
 * long-lived shell (sync-runners.ts). Where it does not exist or takes no -f
 * (macOS, old BusyBox), the callers fall back to fsync per file and per
 * folder: decided at the first call and logged once. Any other failure of `sync -f` is an I/O error the
 * caller must treat as "not durable". Calls that arrive while one runs share
 * the next run (their writes may postdate the running one's start).
 */
import { createLogger } from '../log.js';
import { SyncShell, SyncfsUnsupported, type SyncfsRunner } from './sync-runners.js';

export { SyncShell, SyncfsUnsupported, spawnSyncF, type SyncfsRunner } from './sync-runners.js';

const log = createLogger('syncfs');

/**
 * Batches at least this large are made durable by syncfs; smaller ones by
 * fsync. Measured (4 KiB files, ext4, a batch's two syncs against its fsyncs
 * and one folder fsync): equal time at 16 files with syncfs costing more CPU
 * (the spawn), equal CPU and syncfs 1.6-2.5x faster at 32.
 */
export const SYNCFS_MIN_FILES = 24;

/** 'synced', or 'unsupported' (the caller fsyncs instead); rejects on an I/O error. */
export type SyncfsResult = 'synced' | 'unsupported';

export class Syncfs {
  private supported: boolean | null = null;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(private readonly runner: SyncfsRunner = new SyncShell().run) {}

  /** Makes every write made so far on the filesystem holding `dir` durable. */
  async sync(dir: string): Promise<SyncfsResult> {
    if (this.supported === false) return 'unsupported';
    try {
      await this.shared(dir);
    } catch (err) {
      if (!(err instanceof SyncfsUnsupported)) throw err;
      if (this.supported === null) log.info('syncfs.unavailable', { msg: 'sync -f unavailable: batches are made durable by fsync per file and folder', reason: err.message });
      this.supported = false;
      return 'unsupported';
    }
    if (this.supported === null) log.debug('syncfs.available', { dir });
    this.supported = true;
    return 'synced';
  }

  /**
   * A caller arriving while a run is under way waits for the next one, which
   * every such caller shares. All callers pass a folder of the one filesystem
   * the state folder and the share live on (renames into the share succeed only
   * there), so whose folder the shared run names does not matter.
   */
  private shared(dir: string): Promise<void> {
    if (this.running === null) return this.start(dir);
    if (this.queued === null) {
      const after = this.running.then(
        () => undefined,
        () => undefined,
      );
      this.queued = after.then(() => {
        this.queued = null;
        return this.start(dir);
      });
    }
    return this.queued;
  }

  private start(dir: string): Promise<void> {
    const run = this.runner(dir).finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }
}

/** The process's one Syncfs: the fallback is decided (and logged) once. */
export const systemSyncfs = new Syncfs();
