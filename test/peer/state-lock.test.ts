/** The state folder's lock: one holder, a live holder named, a dead or empty one taken over. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LeftsyncError } from '../../src/errors.js';
import { LOCK_FILE, acquireStateLock } from '../../src/peer/state-lock.js';

function withStateDir(run: (dir: string) => void): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'leftsync-lock-'));
  try {
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A PID that was alive a moment ago and is not any more. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

test('the lock holds our PID, and release removes it', () => withStateDir((dir) => {
  const lock = acquireStateLock(dir, '/share');
  assert.equal(readFileSync(path.join(dir, LOCK_FILE), 'utf8').trim(), String(process.pid));
  lock.release();
  assert.ok(!existsSync(path.join(dir, LOCK_FILE)));
}));

test('a lock held by a live process is refused with LS_LOCKED, naming the PID', () => withStateDir((dir) => {
  // PID 1 is always alive (and, from here, possibly not ours to signal: EPERM counts as alive).
  writeFileSync(path.join(dir, LOCK_FILE), '1\n');
  assert.throws(() => acquireStateLock(dir, '/share'), (err: unknown) => err instanceof LeftsyncError && err.code === 'LS_LOCKED' && /PID 1 /.test(err.message));
  assert.equal(readFileSync(path.join(dir, LOCK_FILE), 'utf8'), '1\n', 'the holder keeps its lock');
}));

test('a lock left by a dead process, or an old empty one, is taken over; a fresh empty one is not', () => withStateDir((dir) => {
  const file = path.join(dir, LOCK_FILE);
  writeFileSync(file, '');
  assert.throws(() => acquireStateLock(dir, '/share'), /another leftsync that is starting/);
  for (const stale of [`${deadPid()}\n`, '']) {
    writeFileSync(file, stale);
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    const lock = acquireStateLock(dir, '/share');
    assert.equal(readFileSync(path.join(dir, LOCK_FILE), 'utf8').trim(), String(process.pid));
    lock.release();
  }
}));

test('release leaves a lock that is no longer ours alone', () => withStateDir((dir) => {
  const lock = acquireStateLock(dir, '/share');
  writeFileSync(path.join(dir, LOCK_FILE), '1\n');
  lock.release();
  assert.equal(readFileSync(path.join(dir, LOCK_FILE), 'utf8'), '1\n');
}));
