/**
 * What the index holds below a folder, read in path order a page at a time, so
 * the scanner can tell what is gone folder by folder instead of keeping every
 * path it saw (a share of 100,000 files would be 100,000 strings held to the
 * end of the scan). The index is sorted by path, and a folder's contents do not
 * sit together with its children: "c", "c-x", "c.y", "c/a", "c0" is the order,
 * so the children of a folder are found by skipping over each child's subtree.
 */
import type { EntryType, SeenPath, SyncIndex } from '../model/entries.js';

type RangeReader = Pick<SyncIndex, 'pathsInRange'>;

/** An entry directly in the folder (with what the scanner compares), or the name of a child with entries below it. */
export type IndexChild = ({ kind: 'entry' } & SeenPath) | { kind: 'subtree'; path: string };

/** First page after a skip: a subtree is often right behind its folder's entry. */
const FIRST_PAGE = 4;
const MAX_PAGE = 512;

/** The bounds of the paths below `dir` ('' is the share root): dir/ <= path < dir0 ('0' follows '/'). */
function bounds(dir: string): { prefix: string; upper: string | null } {
  return dir === '' ? { prefix: '', upper: null } : { prefix: `${dir}/`, upper: `${dir}0` };
}

/** The index's children of `dir` in path order: each entry there (tombstones too), and each child that has entries below it, once. */
export function* indexChildren(index: RangeReader, dir: string): Generator<IndexChild> {
  const { prefix, upper } = bounds(dir);
  let from = prefix;
  let visited: string | null = null; // `from` itself was handed out already
  let limit = FIRST_PAGE;
  for (;;) {
    const rows = index.pathsInRange(from, upper, limit);
    let skipTo: string | null = null;
    for (const row of rows) {
      if (row.path === visited) continue;
      const slash = row.path.indexOf('/', prefix.length);
      if (slash === -1) {
        yield { kind: 'entry', ...row };
        from = visited = row.path;
        continue;
      }
      const child = row.path.slice(0, slash);
      yield { kind: 'subtree', path: child };
      skipTo = `${child}0`;
      break;
    }
    if (skipTo !== null) {
      from = skipTo;
      visited = null;
      limit = FIRST_PAGE;
    } else if (rows.length < limit) return;
    else limit = Math.min(MAX_PAGE, limit * 2);
  }
}

/** The live (not deleted) entries strictly below `dir`, in path order, a page at a time. */
export function* livePathsUnder(index: RangeReader, dir: string): Generator<{ path: string; type: EntryType }> {
  const { prefix, upper } = bounds(dir);
  let from = prefix;
  let visited: string | null = null;
  for (;;) {
    const rows = index.pathsInRange(from, upper, MAX_PAGE);
    for (const row of rows) {
      if (row.path === visited) continue;
      if (!row.deleted) yield { path: row.path, type: row.type };
      from = visited = row.path;
    }
    if (rows.length < MAX_PAGE) return;
  }
}
