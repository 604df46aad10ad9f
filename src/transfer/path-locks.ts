/**
 * One transfer or apply per share path at a time, across every peer session of
 * a node: two peers announcing the same version must not fill the same partial
 * download or race to rename it into place. The node's session set owns one.
 */
export class PathLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `task` once every earlier task holding `key` has finished. */
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
