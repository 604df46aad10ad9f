/**
 * The folders a batch of renames, links or unlinks changed, each with the
 * batch's items that changed it: made durable with one fsync per folder, all at
 * once, and a folder whose fsync fails fails its items (their names may not
 * survive a power cut). Shared by the small-file batches and the moves.
 */
import type { Stats } from 'node:fs';
import { fromSystemError, type LeftsyncError } from '../errors.js';

export class TouchedFolders {
  private readonly folders = new Map<string, number[]>();

  /** Item `i` of the batch added or removed a name in `dir`. */
  add(dir: string, i: number): void {
    const items = this.folders.get(dir);
    if (items) items.push(i);
    else this.folders.set(dir, [i]);
  }

  /** The items that changed some folder (once per folder they changed). */
  items(): number[] {
    return [...this.folders.values()].flat();
  }

  /** fsyncs every folder once, together; each item of a folder that failed gets the error in `results`. */
  async fsync(fsyncDir: (dir: string) => Promise<void>, results: (Stats | LeftsyncError)[]): Promise<void> {
    await Promise.all(
      [...this.folders].map(async ([dir, items]) => {
        try {
          await fsyncDir(dir);
        } catch (err) {
          const error = fromSystemError(err, `fsync ${dir}`);
          for (const i of items) results[i] = error;
        }
      }),
    );
  }
}
