/**
 * Whether the share is there as recorded (its marker present, its root on the
 * recorded device; src/fs/share-marker.ts). The node makes one ShareGuard; the
 * scanner asks it before every scan and the applier before every step, so a
 * missing share is neither scanned (no "everything deleted") nor written into.
 * It logs LS_SHARE_MISSING once when the share goes (again only if the problem
 * changes, e.g. from "marker missing" to "state folder replaced"), polls while
 * it is gone, and tells its listeners when it is back. Links stay up meanwhile.
 */
import { lstat, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, LeftsyncError, fromSystemError } from '../errors.js';
import { createLogger } from '../log.js';
import { lstatIfReadable, toRelativePath } from './paths.js';
import { createMarker, hasContent, inspectShare, readRecordedDevice, recordDevice, type ShareProblem } from './share-marker.js';

const log = createLogger('share');

/** How often the share is looked at, ms (two lstat calls). */
export const SHARE_POLL_MS = 1000;

/** What the scanner and the applier need: throws LS_SHARE_MISSING when the share is not there. */
export interface ShareCheck {
  check(): Promise<void>;
}

export function isShareMissing(err: unknown): boolean {
  return err instanceof LeftsyncError && err.code === ErrorCode.SHARE_MISSING;
}

/**
 * Run once at start, before the state folder is used: returns the recorded
 * device of the share root, creating the share, its marker and the record on a
 * first start. A first start is a state folder that does not exist yet (or is
 * empty); a state from before markers marks a share that holds files. Anything
 * else without a marker (state, but an empty or missing share) is left alone:
 * null, and the guard waits for the marker.
 */
export async function prepareShare(shareDir: string, stateDir: string): Promise<number | null> {
  const stateExisted = (await readdir(stateDir).catch(() => [])).length > 0;
  const recorded = stateExisted ? await readRecordedDevice(stateDir) : null;
  if (recorded !== null) return recorded;
  const seen = await inspectShare(shareDir, null);
  const firstStart = !stateExisted || (seen.problem === 'marker missing' && (await hasContent(shareDir, stateDir)));
  if (seen.problem !== null && !firstStart) return null;
  try {
    if (seen.problem !== null) {
      if (seen.problem === 'folder missing') {
        await mkdir(shareDir, { recursive: true });
        log.info('share.created', { dir: shareDir, msg: `created the share folder ${shareDir}` });
      }
      await createMarker(shareDir);
      log.info('share.marker_created', { share: shareDir });
    }
    await mkdir(stateDir, { recursive: true });
  } catch (err) {
    throw fromSystemError(err, 'creating the share, its marker and the state folder');
  }
  const marked = await inspectShare(shareDir, null);
  if (marked.problem !== null) throw new LeftsyncError(ErrorCode.IO, `share ${shareDir}: ${marked.problem} right after creating it`);
  await recordDevice(stateDir, marked.device!);
  return marked.device;
}

export interface ShareGuardOptions {
  shareDir: string;
  stateDir: string;
  /** From prepareShare; null: recorded when the marker first appears. */
  device: number | null;
  pollMs?: number;
}

export class ShareGuard implements ShareCheck {
  private problem: ShareProblem | null = null;
  private device: number | null;
  private timer: NodeJS.Timeout | null = null;
  private readonly backListeners: Array<() => void> = [];
  /**
   * The state folder this node has open, when it lives inside the share: a share
   * that comes back without it (a new folder given a marker by hand) is not the
   * one the open index describes; only a restart may use it.
   */
  private stateId: { dev: number; ino: number } | null = null;

  constructor(private readonly options: ShareGuardOptions) {
    this.device = options.device;
  }

  get present(): boolean {
    return this.problem === null;
  }

  async check(): Promise<void> {
    if (await this.inspect()) return;
    throw new LeftsyncError(ErrorCode.SHARE_MISSING, `share ${this.options.shareDir}: ${this.problem}; nothing is scanned or applied until it is back`);
  }

  /** Looks at the share now; logs and notifies on a change. True when it is there. */
  async inspect(): Promise<boolean> {
    const seen = await inspectShare(this.options.shareDir, this.device);
    if (seen.problem === null && this.stateId !== null) {
      const state = lstatIfReadable(this.options.stateDir);
      if (state?.dev !== this.stateId.dev || state.ino !== this.stateId.ino) seen.problem = 'state folder replaced';
    }
    if (seen.problem === null && this.device === null) {
      await recordDevice(this.options.stateDir, seen.device!);
      this.device = seen.device;
      log.info('share.device_recorded', { share: this.options.shareDir, device: seen.device });
    }
    const before = this.problem;
    this.problem = seen.problem;
    if (seen.problem !== null && seen.problem !== before) {
      log.error('share.missing', {
        code: ErrorCode.SHARE_MISSING,
        share: this.options.shareDir,
        problem: seen.problem,
        msg:
          seen.problem === 'state folder replaced'
            ? 'the share came back without the state folder this node has open: not scanning or changing anything; restart leftsync (README: the share marker)'
            : `the share is not there (${seen.problem}): not scanning or changing anything, links kept; sync resumes by itself when it is back (README: the share marker)`,
      });
    } else if (seen.problem === null && before !== null) {
      log.info('share.back', { share: this.options.shareDir });
      for (const listener of this.backListeners) listener();
    }
    return seen.problem === null;
  }

  /** Called each time the share comes back after being missing. */
  onBack(listener: () => void): void {
    this.backListeners.push(listener);
  }

  /** Polls the share (the first look is at once). */
  async start(): Promise<void> {
    const { shareDir, stateDir } = this.options;
    if (toRelativePath(path.resolve(shareDir), path.resolve(stateDir)) !== null) {
      const state = await lstat(stateDir).catch(() => null);
      if (state !== null) this.stateId = { dev: state.dev, ino: state.ino };
    }
    await this.inspect();
    this.timer = setInterval(() => {
      this.inspect().catch((err: unknown) => log.warn('share.inspect_failed', { err }));
    }, this.options.pollMs ?? SHARE_POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
