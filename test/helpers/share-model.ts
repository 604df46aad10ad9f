/**
 * What a share synced between several peers must hold at the end, given the
 * operations a test did on each peer's folder, without knowing when the peers
 * saw each other's changes.
 *
 * Every operation is recorded as "on one peer, path P showed SEEN, and the
 * operation left NOW there" (SEEN/NOW: a file's SHA-256, a folder, a link
 * target, or nothing). NOW becomes a live content of P. SEEN stops being live:
 * the peer that replaced it had it, so the replacement is a later version and
 * may erase it. A live content that the peer did NOT show (it had not received
 * it yet) stays live: the two versions are concurrent, and leftsync keeps both.
 *
 * "Nothing lost" then means, after all peers have converged:
 *  - every live content of P is in the tree, at P or at a conflict copy of P
 *    (`stem.sync-conflict-...`; a folder that lost a conflict takes its whole
 *    subtree along, so each path segment may be a conflict copy of the expected one);
 *  - nothing comes back: every entry at a plain (non-conflict) path holds one of
 *    that path's live contents, or is a folder that holds something that must be
 *    there. A deleted file that reappears, or an overwritten version that wins
 *    again, is reported. A folder may also remain (empty) when something was put
 *    inside it that no removal of the folder saw: a folder removed on one peer
 *    while another creates inside it (before or after, in time, as long as the
 *    remover had not received it) comes back to hold the new entry, and whether
 *    it goes once that entry is removed is leftsync's choice either way.
 *    And a content that two operations put at P (two peers apart each made the
 *    same folder there) may remain after a removal that saw it: the remover
 *    may have had only one of them, and the other is concurrent with it.
 * This is the rule of the random-kills e2e test (a write survives unless a later
 * operation replaced it), made exact for concurrent edits: a replacement only
 * erases the versions its peer had seen.
 */
import { hashOf, type Tree } from './tree.js';

/** 'file:<sha256>', 'dir', 'link:<target>'. */
export type Content = string;

export const CONFLICT_MARK = '.sync-conflict-';

/** The model's form of a tree value (the mode is left out: operations never change it). */
export function contentOf(treeValue: string | undefined): Content | null {
  if (treeValue === undefined) return null;
  if (treeValue.startsWith('file:')) return `file:${hashOf(treeValue)}`;
  if (treeValue.startsWith('dir:')) return 'dir';
  return treeValue;
}

/** `candidate` is `name` itself or a conflict copy of it (`stem.sync-conflict-*`). */
export function isNameOrConflictCopy(candidate: string, name: string): boolean {
  if (candidate === name) return true;
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  return candidate.startsWith(`${stem}${CONFLICT_MARK}`);
}

/** Each segment of `candidate` is the same segment of `rel` or a conflict copy of it. */
export function isAtOrConflictCopyOf(candidate: string, rel: string): boolean {
  const a = candidate.split('/');
  const b = rel.split('/');
  return a.length === b.length && a.every((segment, i) => isNameOrConflictCopy(segment, b[i]!));
}

export function isConflictPath(rel: string): boolean {
  return rel.includes(CONFLICT_MARK);
}

export interface ModelReport {
  /** Live contents found nowhere. */
  lost: string[];
  /** Entries at plain paths that no surviving operation left there. */
  unexpected: string[];
  /** Live contents the check looked for. */
  expected: number;
}

export class ShareModel {
  private readonly live = new Map<string, Set<Content>>();
  /**
   * Per folder, what was put inside it (`path content`) that no removal of the
   * folder saw: while any is left, the folder may remain.
   */
  private readonly unseenInside = new Map<string, Set<string>>();
  /** Per path, how many operations put each live content there since it was last erased. */
  private readonly puts = new Map<string, Map<Content, number>>();
  /** Per path, contents erased by a removal that may have seen only one of the operations that put them. */
  private readonly mayRemain = new Map<string, Set<Content>>();

  replace(rel: string, seen: Content | null, now: Content | null): void {
    const set = this.live.get(rel) ?? new Set<Content>();
    const puts = this.puts.get(rel) ?? new Map<Content, number>();
    this.puts.set(rel, puts);
    if (seen !== null) {
      set.delete(seen);
      if ((puts.get(seen) ?? 0) > 1) this.mayRemain.set(rel, (this.mayRemain.get(rel) ?? new Set()).add(seen));
      puts.delete(seen);
    }
    if (now !== null) {
      set.add(now);
      puts.set(now, (puts.get(now) ?? 0) + 1);
      for (let slash = rel.indexOf('/'); slash >= 0; slash = rel.indexOf('/', slash + 1)) {
        const folder = rel.slice(0, slash);
        this.unseenInside.set(folder, (this.unseenInside.get(folder) ?? new Set()).add(`${rel} ${now}`));
      }
    }
    if (set.size > 0) this.live.set(rel, set);
    else this.live.delete(rel);
  }

  /**
   * A peer removed the folder `rel` or moved it away, showing `seen` (what it
   * listed at and below `rel`): what it saw inside no longer lets that folder,
   * or a folder in it, remain. What it had not received yet still does, since
   * leftsync brings the folder back to hold it; a later deletion of that entry
   * does not change this.
   */
  folderLeft(rel: string, seen: Iterable<readonly [string, Content | null]>): void {
    const keys = [...seen].flatMap(([p, content]) => (content === null ? [] : [`${p} ${content}`]));
    for (const [folder, puts] of this.unseenInside) {
      if (folder !== rel && !folder.startsWith(`${rel}/`)) continue;
      for (const key of keys) puts.delete(key);
      if (puts.size === 0) this.unseenInside.delete(folder);
    }
  }

  /**
   * The path whose live `content` the conflict copy `copyPath` holds, if any: a
   * user who moves or removes a folder moves or removes the conflict copies in
   * it too, so those count as seen there.
   */
  originalOf(copyPath: string, content: Content): string | null {
    for (const [rel, contents] of this.live) {
      if (contents.has(content) && rel !== copyPath && isAtOrConflictCopyOf(copyPath, rel)) return rel;
    }
    return null;
  }

  liveAt(rel: string): ReadonlySet<Content> {
    return this.live.get(rel) ?? new Set();
  }

  check(tree: Tree): ModelReport {
    const paths = Object.keys(tree);
    const lost: string[] = [];
    let expected = 0;
    for (const [rel, contents] of this.live) {
      for (const content of contents) {
        expected += 1;
        if (contentOf(tree[rel]) === content) continue;
        if (!paths.some((p) => isAtOrConflictCopyOf(p, rel) && contentOf(tree[p]) === content)) {
          lost.push(`${rel} should hold ${content.slice(0, 17)}, or a conflict copy of it should; ${rel} holds ${contentOf(tree[rel])?.slice(0, 17) ?? 'nothing'}`);
        }
      }
    }
    const legit = new Map<string, boolean>();
    const isLegit = (rel: string): boolean => {
      const known = legit.get(rel);
      if (known !== undefined) return known;
      const content = contentOf(tree[rel])!;
      let ok = isConflictPath(rel) || this.liveAt(rel).has(content) || this.mayRemain.get(rel)?.has(content) === true;
      if (!ok && content === 'dir') ok = this.unseenInside.has(rel) || paths.some((p) => p.startsWith(`${rel}/`) && isLegit(p));
      legit.set(rel, ok);
      return ok;
    };
    const unexpected = paths.filter((p) => !isLegit(p)).map((p) => {
      const live = [...this.liveAt(p)].map((c) => c.slice(0, 17)).join(', ') || 'nothing';
      return `${p} holds ${contentOf(tree[p])!.slice(0, 17)}; the operations left ${live} there`;
    });
    return { lost, unexpected, expected };
  }
}
