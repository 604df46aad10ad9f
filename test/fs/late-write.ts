/**
 * Puts a user's write into the gap between leftsync's "is the file still as
 * the scanner saw it" check and the rename or removal that follows it: the
 * next renameSync or unlink (sync or promise) of `target`, as source or
 * destination, first overwrites `target` in place (open with O_TRUNC, as an
 * editor's plain save does). That is what a process stalled there for a few
 * milliseconds (a loaded machine, a GC pause) lets happen; the soak lost an
 * edit that way. Patched in the builtin module (syncBuiltinESMExports), so
 * src/ needs no seam for it; restore() puts the originals back.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';

export interface LateWrite {
  /** True once the write was made. */
  readonly fired: boolean;
  restore(): void;
}

/** `afterRename`: runs once right after that rename, if it was one (another save by name, say). */
export function writeBeforeNextRename(target: string, bytes: Buffer, afterRename?: () => void): LateWrite {
  const originals = { renameSync: fs.renameSync, unlinkSync: fs.unlinkSync, unlink: fsp.unlink };
  let fired = false;
  const maybeWrite = (...paths: unknown[]): void => {
    if (fired || !paths.includes(target)) return;
    fired = true;
    fs.writeFileSync(target, bytes);
  };
  fs.renameSync = (from, to) => {
    const first = !fired;
    maybeWrite(from, to);
    originals.renameSync(from, to);
    if (first && fired) afterRename?.();
  };
  fs.unlinkSync = (p) => {
    maybeWrite(p);
    originals.unlinkSync(p);
  };
  fsp.unlink = async (p) => {
    maybeWrite(p);
    return originals.unlink(p);
  };
  syncBuiltinESMExports();
  return {
    get fired() {
      return fired;
    },
    restore() {
      Object.assign(fs, { renameSync: originals.renameSync, unlinkSync: originals.unlinkSync });
      fsp.unlink = originals.unlink;
      syncBuiltinESMExports();
    },
  };
}
