/**
 * One leftsync process per state folder: two nodes on one index would both
 * write the share and the same SQLite file. The lock is a file holding the
 * owner's PID, created with O_EXCL so two starting processes cannot both win.
 * A lock whose PID is no longer alive is stale (the owner was SIGKILLed or the
 * host crashed) and is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, LeftsyncError, fromSystemError } from '../errors.js';

export const LOCK_FILE = 'lock';

export interface StateLock {
  readonly file: string;
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Another process creates the file and then writes its PID: an empty lock this young is theirs. */
const WRITE_GRACE_MS = 2_000;

function justCreated(file: string): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs < WRITE_GRACE_MS;
  } catch {
    return false;
  }
}

function readOwner(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function acquireStateLock(stateDir: string, shareDir: string): StateLock {
  const file = path.join(stateDir, LOCK_FILE);
  try {
    mkdirSync(stateDir, { recursive: true });
  } catch (err) {
    throw fromSystemError(err, `creating the state folder ${stateDir}`);
  }
  // Two tries: the second after removing a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw fromSystemError(err, `creating the lock file ${file}`);
      const owner = readOwner(file);
      if (owner === null && justCreated(file)) {
        throw new LeftsyncError(ErrorCode.LOCKED, `${shareDir} is being locked by another leftsync that is starting (lock ${file}); try again in a moment`);
      }
      // An empty lock older than that: its writer died between create and write.
      if (owner !== null && owner !== process.pid && isAlive(owner)) {
        throw new LeftsyncError(
          ErrorCode.LOCKED,
          `${shareDir} is already being synced by leftsync PID ${owner} (lock ${file}); stop that process first, or delete the lock file if PID ${owner} is not leftsync`,
        );
      }
      try {
        unlinkSync(file);
      } catch (unlinkErr) {
        if ((unlinkErr as NodeJS.ErrnoException).code !== 'ENOENT') throw fromSystemError(unlinkErr, `removing the stale lock file ${file}`);
      }
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    let released = false;
    return {
      file,
      release() {
        if (released) return;
        released = true;
        // Only our own lock: a stale-lock takeover by another process must not be undone.
        if (readOwner(file) === process.pid) unlinkSync(file);
      },
    };
  }
  throw new LeftsyncError(ErrorCode.LOCKED, `could not take the lock ${file}: another process keeps recreating it`);
}
