/**
 * Per-path settling: a path is handed on only once no event touched it for
 * `settleMs`, so a file still being written is not hashed until it holds still.
 * Paths that settle together are delivered as one batch.
 */
export interface PathDebouncer {
  touch(path: string): void;
  /** Paths waiting to settle. */
  readonly size: number;
  stop(): void;
}

export function createPathDebouncer(settleMs: number, deliver: (paths: string[]) => void): PathDebouncer {
  const lastTouched = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const schedule = (delay: number) => {
    if (timer === null && !stopped) timer = setTimeout(flush, Math.max(0, delay));
  };

  function flush(): void {
    timer = null;
    const now = Date.now();
    const ready: string[] = [];
    let nextDue = Infinity;
    for (const [path, touched] of lastTouched) {
      const due = touched + settleMs;
      if (due <= now) ready.push(path);
      else nextDue = Math.min(nextDue, due);
    }
    for (const path of ready) lastTouched.delete(path);
    if (nextDue !== Infinity) schedule(nextDue - now);
    if (ready.length > 0) deliver(ready.sort());
  }

  return {
    touch(path) {
      if (stopped) return;
      lastTouched.set(path, Date.now());
      schedule(settleMs);
    },
    get size() {
      return lastTouched.size;
    },
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      lastTouched.clear();
    },
  };
}
