/**
 * Memory the host has not backed yet, handed to no tool. This kind of machine
 * is a VM whose balloon driver reports free memory back to the host
 * (virtio_balloon's free page reporting): a page free for a few seconds is
 * handed back, and the next write into it waits for the host to fault it in.
 * Measured here: dd of 500 MiB into a new file took 0.15-0.32 s right after
 * the same amount was freed, and 2.3-4.9 s after a pause of 3 s or more.
 *
 * Which tool of a row found pages another had freed moments before so decided
 * whole seconds. rsync runs after leftsync, and in the edit row it took the
 * pages of the old version leftsync's receiver had just replaced (0.64 s),
 * while leftsync's receiver wrote its 500 MiB temp file into pages the host
 * had taken back (2.2 s of its 2.7 s pull, strace). Before each timed step of
 * either tool the bench therefore writes and removes a scratch file, so that
 * every step starts with the same just-freed memory and neither pays the host
 * for it. The kernel hands out the pages freed last first.
 */
import { open, unlink } from 'node:fs/promises';
import { join } from 'node:path';

const BLOCK = Buffer.alloc(4 << 20, 0x5a);

/** Writes `bytes` into a scratch file under `dir` and removes it, unsynced (its pages are freed, never written back). */
export async function warmFreePages(dir: string, bytes: number): Promise<void> {
  if (bytes <= 0) return;
  const scratch = join(dir, `page-warm-${process.pid}.scratch`);
  const file = await open(scratch, 'w');
  try {
    for (let written = 0; written < bytes; written += BLOCK.length) await file.write(BLOCK, 0, Math.min(BLOCK.length, bytes - written));
  } finally {
    await file.close();
    await unlink(scratch);
  }
}

/**
 * What a row's timed steps are warmed with: twice its large file (a receiver's
 * new version and the memory its processes grow into), at least 64 MiB.
 */
export function warmBytesFor(mib: number): number {
  return Math.max(64, 2 * mib) << 20;
}
