/**
 * Real mounts for end-to-end tests of unmounted shares and full disks. They need
 * root (CI runs as root); run the test inside a private mount namespace
 * (`unshare -m`) so nothing leaks out if a test dies. unmountAll() (call it in
 * after(), after the nodes are killed) undoes what is still mounted.
 */
import { execFileSync } from 'node:child_process';

const mounted: string[] = [];

/** Fails (never skips) when not root: these tests are part of the suite. */
export function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) {
    throw new Error(`${what} needs root to mount a tmpfs (run the suite as root, e.g. in CI, or under sudo unshare -m)`);
  }
}

export function mountTmpfs(dir: string, sizeBytes: number): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir]);
  mounted.push(dir);
}

export function bindMount(source: string, dir: string): void {
  execFileSync('mount', ['--bind', source, dir]);
  mounted.push(dir);
}

/**
 * Unmounts `dir`. Lazy: a running node holds files open under it (its index), as
 * when a USB disk is pulled or an NFS server goes; the mount point is empty at once.
 */
export function unmount(dir: string): void {
  execFileSync('umount', ['-l', dir]);
  const at = mounted.lastIndexOf(dir);
  if (at >= 0) mounted.splice(at, 1);
}

export function unmountAll(): void {
  for (const dir of mounted.splice(0).reverse()) {
    try {
      execFileSync('umount', ['-l', dir]);
    } catch {
      // already gone
    }
  }
}
