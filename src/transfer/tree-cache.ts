/**
 * Chunk trees of the versions this node holds, built from the index's chunk
 * lists: the supplier answers node requests from them, and the puller takes
 * the nodes it already holds from the tree of its own version of the path, or
 * the whole tree from a file that has the wanted root under another name.
 * A tree is a pure function of its chunk list, so it is kept by root and never
 * goes stale; the few most recent are kept (a 500 MiB file's tree is ~8,000
 * leaves, ~320 KiB encoded).
 */
import { CHUNK_SIZES } from '../chunker/params.js';
import { buildTree, type ChunkTree } from '../chunker/tree.js';
import type { SyncIndex } from '../model/entries.js';

export class TreeCache {
  private readonly trees = new Map<string, ChunkTree>();

  constructor(
    private readonly index: SyncIndex,
    private readonly capacity = 4,
  ) {}

  /**
   * The tree of the current version of `path` in our index (of that version
   * only, when `root` is given); undefined when there is none: no such live
   * file, a file below the smallest chunk (its identity is its one chunk's
   * hash, it has no tree to exchange), or a chunk list that does not make the
   * recorded root.
   */
  /** The tree of `root` when a live local file has that root under any name (a rename's or a copy's source). */
  holding(root: Buffer): ChunkTree | undefined {
    const path = this.index.fileWithDigest(root);
    return path === undefined ? undefined : this.current(path, root);
  }

  current(path: string, root?: Buffer): ChunkTree | undefined {
    const entry = this.index.get(path);
    if (entry === undefined || entry.deleted || entry.type !== 'file' || entry.size < CHUNK_SIZES.minSize) return undefined;
    if (root !== undefined && !entry.digest.equals(root)) return undefined;
    const key = entry.digest.toString('hex');
    const cached = this.trees.get(key);
    if (cached !== undefined) {
      // Most recently used last.
      this.trees.delete(key);
      this.trees.set(key, cached);
      return cached;
    }
    const tree = buildTree(this.index.chunksOf(path));
    if (!tree.root.equals(entry.digest)) return undefined;
    this.trees.set(key, tree);
    if (this.trees.size > this.capacity) this.trees.delete(this.trees.keys().next().value!);
    return tree;
  }
}
