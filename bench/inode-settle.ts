/**
 * Waits until creating files is fast again before a row is timed.
 *
 * ext4 without a journal (as on these machines) does not reuse an inode freed in
 * the last 60 s, or 360 s while its inode table block is still dirty: every new
 * file walks past each recently freed inode of its block group (the kernel's
 * `recently_deleted()`). After a mass deletion (the test suite, or an earlier
 * row's folder) creating 10,000 files costs 3-6 s of system time instead of
 * 0.3 s, for leftsync and rsync alike, and it fades within minutes. A row timed
 * then measures the kernel, so the bench probes and waits, and says so.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

const PROBE_FILES = 1_000;
/** 1,000 creates take 20-30 ms on a settled disk and 0.5-1 s right after a mass deletion. */
const SETTLED_MS = 50;
const RETRY_MS = 20_000;
/** The kernel's longest window (360 s) and some. */
const GIVE_UP_MS = 400_000;

let probes = 0;

/** Creates PROBE_FILES empty files in a new folder under `dir` (kept: removing them would free inodes again). */
function probe(dir: string): number {
  const folder = join(dir, `probe-${++probes}`);
  mkdirSync(folder, { recursive: true });
  const started = performance.now();
  for (let i = 0; i < PROBE_FILES; i++) closeSync(openSync(join(folder, `f${i}`), 'wx', 0o600));
  return performance.now() - started;
}

/**
 * Returns null when files could be created at once, else a note: how long it
 * waited and what the first probe took (or that it gave up).
 */
export async function untilCreatesAreFast(dir: string, say: (line: string) => void): Promise<string | null> {
  const first = probe(dir);
  if (first <= SETTLED_MS) return null;
  const started = performance.now();
  say(`(creating ${PROBE_FILES} files took ${first.toFixed(0)} ms: waiting for inodes freed recently to age) `);
  let last = first;
  while (performance.now() - started < GIVE_UP_MS) {
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    last = probe(dir);
    if (last <= SETTLED_MS) {
      return `waited ${((performance.now() - started) / 1000).toFixed(0)} s before this row: creating ${PROBE_FILES} files took ${first.toFixed(0)} ms, then ${last.toFixed(0)} ms`;
    }
  }
  return `timed on a slow disk: creating ${PROBE_FILES} files still took ${last.toFixed(0)} ms after ${(GIVE_UP_MS / 1000).toFixed(0)} s of waiting`;
}
