/**
 * The chunk tree: a Merkle tree over a file's chunk list, whose root is the
 * file's identity. Where one node ends and the next begins is content-defined,
 * as chunk boundaries are: a node closes after a child whose hash says so. An
 * edit that adds, removes or changes chunks therefore changes only the nodes on
 * its way to the root; every other node, and so its hash, stays as it was even
 * when the chunk count changes (a tree with positional nodes would change every
 * node to the right of an insert). A peer that holds an older version fetches
 * nodes top-down by hash and skips each subtree it already has.
 *
 * Pure: bytes in, bytes out, no I/O. Every node is checked against the hash it
 * was asked for and against its parent's byte count; a node that lies is an
 * error, never a wrong file.
 *
 * Encoding of a node (its hash is SHA-256 over exactly these bytes):
 *   u8 format tag (NODE_TAG) | u8 level (0: the children are chunks) |
 *   u32 child count | per child: 32-byte hash, u64 bytes covered  (all big-endian)
 */
import { createHash } from 'node:crypto';
import { ErrorCode, LeftsyncError } from '../errors.js';

/** One child of a node: a chunk (level 0) or a node of the level below, with the bytes it covers. */
export interface TreeChild {
  hash: Buffer;
  bytes: number;
}

export interface TreeNode {
  level: number;
  children: TreeChild[];
}

export interface ChunkTree {
  root: Buffer;
  /** Every node by the hex of its hash, with its encoding (what a peer is sent). */
  nodes: Map<string, { node: TreeNode; encoded: Buffer }>;
}

const NODE_TAG = 0x4c;
const HEADER_BYTES = 6;
const CHILD_BYTES = 40;
/** A node closes after a child whose hash is 0 modulo this: nodes of ~64 children (~2.5 KiB). */
export const TREE_FANOUT = 64;
/**
 * At least two children, so each level has at most half the nodes of the one
 * below and the tree always ends in one root.
 */
const MIN_CHILDREN = 2;
/** Bounds a node (~10 KiB) where no hash closes it. */
export const MAX_CHILDREN = 4 * TREE_FANOUT;
/**
 * A run of identical children (a sparse file's zero chunks, and the identical
 * nodes above them) closes a node after this many: all the run's full nodes are
 * then one node, and an edit next to the run costs a node of ~640 bytes, not a
 * MAX_CHILDREN node of 10 KiB. Still content-defined: where the run starts and
 * what it repeats decide the cut.
 */
export const RUN_CHILDREN = 16;
/** Far above any real tree (64^12 chunks); a deeper one is a lie. */
const MAX_LEVEL = 12;

/** `run`: how many children at the end of the open node, `child` the last, are identical. */
function closesNode(child: TreeChild, count: number, run: number): boolean {
  if (count >= MAX_CHILDREN || run >= RUN_CHILDREN) return true;
  return count >= MIN_CHILDREN && child.hash.readUInt32BE(28) % TREE_FANOUT === 0;
}

function sameChild(a: TreeChild | undefined, b: TreeChild): boolean {
  return a !== undefined && a.bytes === b.bytes && a.hash.equals(b.hash);
}

export function encodeNode(node: TreeNode): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + node.children.length * CHILD_BYTES);
  out[0] = NODE_TAG;
  out[1] = node.level;
  out.writeUInt32BE(node.children.length, 2);
  let at = HEADER_BYTES;
  for (const child of node.children) {
    child.hash.copy(out, at);
    out.writeUInt32BE(Math.floor(child.bytes / 2 ** 32), at + 32);
    out.writeUInt32BE(child.bytes % 2 ** 32, at + 36);
    at += CHILD_BYTES;
  }
  return out;
}

export function hashNode(encoded: Uint8Array): Buffer {
  return createHash('sha256').update(encoded).digest();
}

function invalid(message: string): LeftsyncError {
  return new LeftsyncError(ErrorCode.TREE_INVALID, message);
}

/**
 * Decodes a node received from a peer. It must hash to `expected` (the hash its
 * parent named), which also proves its level and byte counts are the sender's.
 */
export function decodeNode(encoded: Uint8Array, expected: Uint8Array): TreeNode {
  if (!hashNode(encoded).equals(expected)) throw invalid('a chunk-tree node does not match the hash its parent names');
  const bytes = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  if (bytes.length < HEADER_BYTES || bytes[0] !== NODE_TAG) throw invalid('a chunk-tree node has no valid header');
  const level = bytes[1]!;
  const count = bytes.readUInt32BE(2);
  if (level > MAX_LEVEL) throw invalid(`a chunk-tree node claims level ${level}`);
  if (count > MAX_CHILDREN || bytes.length !== HEADER_BYTES + count * CHILD_BYTES) {
    throw invalid(`a chunk-tree node of ${bytes.length} bytes claims ${count} children`);
  }
  const children: TreeChild[] = [];
  for (let at = HEADER_BYTES; at < bytes.length; at += CHILD_BYTES) {
    const high = bytes.readUInt32BE(at + 32);
    const childBytes = high * 2 ** 32 + bytes.readUInt32BE(at + 36);
    if (!Number.isSafeInteger(childBytes)) throw invalid('a chunk-tree node has a child size beyond 2^53');
    children.push({ hash: Buffer.from(bytes.subarray(at, at + 32)), bytes: childBytes });
  }
  return { level, children };
}

function sumBytes(children: readonly TreeChild[]): number {
  let total = 0;
  for (const child of children) total += child.bytes;
  return total;
}

/** Builds the tree over a chunk list (hash and length of each chunk, in file order). */
export function buildTree(chunks: Iterable<{ hash: Buffer; length: number }>): ChunkTree {
  const nodes: ChunkTree['nodes'] = new Map();
  const store = (node: TreeNode): TreeChild => {
    const encoded = encodeNode(node);
    const hash = hashNode(encoded);
    nodes.set(hash.toString('hex'), { node, encoded });
    return { hash, bytes: sumBytes(node.children) };
  };
  let level = 0;
  let row: TreeChild[] = [];
  for (const chunk of chunks) row.push({ hash: chunk.hash, bytes: chunk.length });
  for (;;) {
    const above: TreeChild[] = [];
    let open: TreeChild[] = [];
    let run = 0;
    for (const child of row) {
      run = sameChild(open[open.length - 1], child) ? run + 1 : 1;
      open.push(child);
      if (closesNode(child, open.length, run)) {
        above.push(store({ level, children: open }));
        open = [];
        run = 0;
      }
    }
    if (open.length > 0 || above.length === 0) above.push(store({ level, children: open }));
    if (above.length === 1) return { root: above[0]!.hash, nodes };
    row = above;
    level++;
  }
}

/** Where the nodes of a version come from: those we hold ourselves, and the peer. */
export interface NodeSource {
  /** A node we already hold (an older version of this or any file), or undefined. */
  local(hash: Buffer): TreeNode | undefined;
  /** Asks the peer for these nodes' encodings, in the same order. */
  fetch(hashes: Buffer[]): Promise<Uint8Array[]>;
}

export interface ResolvedTree {
  /** The file's chunks in order, with their offsets. */
  chunks: { offset: number; length: number; hash: Buffer }[];
  /** Nodes received from the peer, and their encoded bytes. */
  fetchedNodes: number;
  fetchedBytes: number;
}

/**
 * Expands the tree of `root` (covering `size` bytes) into its chunk list, one
 * round trip per level for the nodes not held locally (each distinct node once:
 * a sparse file's runs of zero chunks share their nodes). Each node fetched is
 * verified against its hash, its level against its parent's, and its children's
 * bytes against what the parent says they cover. `maxChunks` bounds what a
 * lying peer can make us expand (the caller knows it from the size and the
 * chunker's minimum chunk size).
 */
export async function resolveTree(root: Buffer, size: number, source: NodeSource, maxChunks: number): Promise<ResolvedTree> {
  let fetchedNodes = 0;
  let fetchedBytes = 0;
  const received = new Map<string, TreeNode>();
  const lookup = (hash: Buffer): TreeNode | undefined => received.get(hash.toString('hex')) ?? source.local(hash);
  // One level at a time, top-down: entries are (expected hash, expected bytes), in file order.
  let row: TreeChild[] = [{ hash: root, bytes: size }];
  let expectedLevel: number | null = null;
  for (;;) {
    const missing = new Map<string, Buffer>();
    for (const child of row) {
      if (lookup(child.hash) === undefined) missing.set(child.hash.toString('hex'), child.hash);
    }
    if (missing.size > 0) {
      const wanted = [...missing.values()];
      const replies = await source.fetch(wanted);
      if (replies.length !== wanted.length) throw invalid(`asked for ${wanted.length} chunk-tree nodes, got ${replies.length}`);
      wanted.forEach((hash, i) => {
        received.set(hash.toString('hex'), decodeNode(replies[i]!, hash));
        fetchedNodes++;
        fetchedBytes += replies[i]!.byteLength;
      });
    }
    const below: TreeChild[] = [];
    for (const child of row) {
      const node = lookup(child.hash)!;
      expectedLevel ??= node.level;
      if (node.level !== expectedLevel) throw invalid(`a chunk-tree node is at level ${node.level} where ${expectedLevel} was expected`);
      if (sumBytes(node.children) !== child.bytes) throw invalid('a chunk-tree node covers a different number of bytes than its parent says');
      if (node.children.length === 0 && (row.length > 1 || size > 0)) throw invalid('an empty chunk-tree node where bytes are expected');
      below.push(...node.children);
      if (below.length > maxChunks) throw invalid(`a chunk tree of ${size} bytes claims more than ${maxChunks} entries`);
    }
    // null only for an empty row, which has nothing below it either.
    if (expectedLevel === null || expectedLevel === 0) {
      let offset = 0;
      const chunks = below.map((child) => {
        if (child.bytes === 0) throw invalid('a chunk-tree leaf of 0 bytes');
        const chunk = { offset, length: child.bytes, hash: child.hash };
        offset += child.bytes;
        return chunk;
      });
      return { chunks, fetchedNodes, fetchedBytes };
    }
    row = below;
    expectedLevel--;
  }
}

/**
 * A file's identity (FileEntry.digest): the root of its chunk tree. A file
 * shorter than the smallest chunk is one chunk (every engine cuts only after
 * minSize, agreed in the handshake), so its identity is that chunk's hash,
 * SHA-256 of its bytes (an empty file: SHA-256 of nothing): a receiver fetches
 * it with one chunk request and no tree, and finds copies of it anywhere in
 * its index by that hash. The size alone tells a receiver which rule applies.
 */
export function fileRoot(size: number, chunks: readonly { hash: Buffer; length: number }[], minSize: number): Buffer {
  if (size < minSize) return chunks.length === 0 ? createHash('sha256').digest() : chunks[0]!.hash;
  return buildTree(chunks).root;
}

/**
 * The tree bytes a peer holding `have` fetches to resolve `want`: every node of
 * `want` it does not hold (a held node's whole subtree is held too, since nodes
 * are named by their hash), each once.
 */
export function treeBytesToFetch(have: ChunkTree | null, want: ChunkTree): { nodes: number; bytes: number } {
  let nodes = 0;
  let bytes = 0;
  for (const [key, { encoded }] of want.nodes) {
    if (have?.nodes.has(key)) continue;
    nodes++;
    bytes += encoded.length;
  }
  return { nodes, bytes };
}
