/**
 * When a touched path is handed on. A path that was quiet is handed on almost
 * at once (`quickMs`, which only gathers the events of one write, and of a
 * burst, into one batch): the scanner hashes it and checks its lstat again
 * afterwards, so a file caught while being written is not recorded, and says
 * so. Only a path that keeps changing waits to settle: one touched again within
 * `settleMs` of being handed on, or reported unstable by the scanner, is handed
 * on once no event touched it for `settleMs`. Paths due together are delivered
 * as one batch.
 */
export interface PathDebouncer {
  touch(path: string): void;
  /** The scanner saw `path` change while it hashed it: wait for it to settle. */
  unsettled(path: string): void;
  /** Paths waiting. */
  readonly size: number;
  stop(): void;
}

/** How long a quiet path waits for more events before it is handed on, ms. */
export const QUICK_MS = 15;
/**
 * Paths due within this many ms of a flush go with it: the two names of a
 * rename arrive microseconds apart but may straddle a millisecond, and split
 * into two batches the old name's tombstone went first (the receiver deleted
 * the file, then fetched the "new" one whole) and the move was not seen.
 */
const TOGETHER_MS = 5;

export function createPathDebouncer(settleMs: number, deliver: (paths: string[]) => void, quickMs = Math.min(QUICK_MS, settleMs)): PathDebouncer {
  /** Waiting paths: when each is due. */
  const due = new Map<string, number>();
  /** Waiting paths that keep changing: each new event moves them back. */
  const settling = new Set<string>();
  /** When each path was last handed on (pruned once older than settleMs). */
  const delivered = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;
  let timerAt = Infinity;
  let stopped = false;

  const schedule = (at: number) => {
    if (stopped || at >= timerAt) return;
    if (timer !== null) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(flush, Math.max(0, at - Date.now()));
  };

  function flush(): void {
    timer = null;
    timerAt = Infinity;
    const now = Date.now();
    const ready: string[] = [];
    let nextDue = Infinity;
    for (const [path, at] of due) {
      if (at <= now + TOGETHER_MS) ready.push(path);
      else nextDue = Math.min(nextDue, at);
    }
    for (const path of ready) {
      due.delete(path);
      settling.delete(path);
      // Re-inserted, so the map stays in delivery order and pruning stops at the first recent one.
      delivered.delete(path);
      delivered.set(path, now);
    }
    for (const [path, at] of delivered) {
      if (at + settleMs > now) break;
      delivered.delete(path);
    }
    if (nextDue !== Infinity) schedule(nextDue);
    if (ready.length > 0) deliver(ready.sort());
  }

  const slow = (path: string) => {
    settling.add(path);
    const at = Date.now() + settleMs;
    due.set(path, at);
    schedule(at);
  };

  return {
    touch(path) {
      if (stopped) return;
      const now = Date.now();
      if (settling.has(path)) return slow(path);
      if (due.has(path)) return; // quiet so far: keeps its early turn
      const last = delivered.get(path);
      if (last !== undefined && now - last < settleMs) return slow(path);
      due.set(path, now + quickMs);
      schedule(now + quickMs);
    },
    unsettled(path) {
      if (!stopped) slow(path);
    },
    get size() {
      return due.size;
    },
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      due.clear();
      settling.clear();
      delivered.clear();
    },
  };
}
