/**
 * One transfer or apply per share path at a time, across every peer session of
 * the process: two peers announcing the same version must not fill the same
 * partial download or race to rename it into place.
 */
const tails = new Map<string, Promise<void>>();

/** Runs `task` once every earlier task holding `key` has finished. */
export async function withPathLock<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  tails.set(key, tail);
  await previous;
  try {
    return await task();
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}
