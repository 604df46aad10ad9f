import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  MAX_CHILDREN,
  buildTree,
  decodeNode,
  encodeNode,
  hashNode,
  resolveTree,
  type ChunkTree,
  type NodeSource,
  type TreeNode,
} from '../../src/chunker/tree.js';
import { ErrorCode } from '../../src/errors.js';

interface Leaf {
  hash: Buffer;
  length: number;
}

const GiB = 2 ** 30;
const NO_LIMIT = 10_000_000;

function leaf(seed: string, length = 65536): Leaf {
  return { hash: createHash('sha256').update(seed).digest(), length };
}

function leaves(count: number, prefix = 'c'): Leaf[] {
  return Array.from({ length: count }, (_, i) => leaf(`${prefix}${i}`, 40000 + (i % 50000)));
}

function sizeOf(list: readonly Leaf[]): number {
  return list.reduce((total, l) => total + l.length, 0);
}

/** The receiver holds `local` (an older version) and asks `remote` for the rest. */
function sourceFor(local: ChunkTree | null, remote: ChunkTree, log: Buffer[][] = []): NodeSource {
  return {
    local: (hash) => local?.nodes.get(hash.toString('hex'))?.node,
    fetch: async (hashes) => {
      log.push(hashes);
      return hashes.map((hash) => {
        const entry = remote.nodes.get(hash.toString('hex'));
        assert.ok(entry, 'only nodes of the remote tree are asked for');
        return entry.encoded;
      });
    },
  };
}

function asChunkList(list: readonly Leaf[]): { offset: number; length: number; hash: Buffer }[] {
  let offset = 0;
  return list.map((l) => {
    const chunk = { offset, length: l.length, hash: l.hash };
    offset += l.length;
    return chunk;
  });
}

test('the root is a function of the chunk list alone, and differs when any chunk does', () => {
  const list = leaves(5000);
  assert.deepEqual(buildTree(list).root, buildTree([...list]).root);
  const changed = [...list];
  changed[2500] = leaf('other', changed[2500]!.length);
  assert.notDeepEqual(buildTree(changed).root, buildTree(list).root);
  const resized = [...list];
  resized[10] = { hash: resized[10]!.hash, length: resized[10]!.length + 1 };
  assert.notDeepEqual(buildTree(resized).root, buildTree(list).root, 'a length is part of the identity');
});

test('an empty file and a one-chunk file have trees of one node', async () => {
  for (const list of [[], [leaf('only', 10)]]) {
    const tree = buildTree(list);
    assert.equal(tree.nodes.size, 1);
    const resolved = await resolveTree(tree.root, sizeOf(list), sourceFor(null, tree), NO_LIMIT);
    assert.deepEqual(resolved.chunks, asChunkList(list));
  }
});

test('a cold receiver gets the exact chunk list, one round trip per level', async () => {
  const list = leaves(8000);
  const tree = buildTree(list);
  const rounds: Buffer[][] = [];
  const resolved = await resolveTree(tree.root, sizeOf(list), sourceFor(null, tree, rounds), NO_LIMIT);
  assert.deepEqual(resolved.chunks, asChunkList(list));
  assert.equal(resolved.fetchedNodes, tree.nodes.size);
  assert.ok(rounds.length <= 4, `${rounds.length} round trips for 8000 chunks`);
  const nodeSizes = [...tree.nodes.values()].map((n) => n.node.children.length);
  assert.ok(Math.max(...nodeSizes) <= MAX_CHILDREN);
});

test('a changed chunk costs only the nodes on its path to the root (a few KiB for 8000 chunks)', async () => {
  const old = leaves(8000);
  const edited = [...old];
  edited[4321] = leaf('edit', old[4321]!.length);
  const oldTree = buildTree(old);
  const newTree = buildTree(edited);
  const resolved = await resolveTree(newTree.root, sizeOf(edited), sourceFor(oldTree, newTree), NO_LIMIT);
  assert.deepEqual(resolved.chunks, asChunkList(edited));
  assert.ok(resolved.fetchedNodes <= 4, `${resolved.fetchedNodes} nodes fetched`);
  assert.ok(resolved.fetchedBytes < 20_000, `${resolved.fetchedBytes} bytes of tree fetched`);
});

test('an inserted chunk (the count changes) leaves every node off its path as it was', async () => {
  const old = leaves(8000);
  const inserted = [...old.slice(0, 1000), leaf('new'), ...old.slice(1000)];
  const oldTree = buildTree(old);
  const newTree = buildTree(inserted);
  const resolved = await resolveTree(newTree.root, sizeOf(inserted), sourceFor(oldTree, newTree), NO_LIMIT);
  assert.deepEqual(resolved.chunks, asChunkList(inserted));
  assert.ok(resolved.fetchedNodes <= 6, `${resolved.fetchedNodes} nodes fetched`);
  const shared = [...newTree.nodes.keys()].filter((key) => oldTree.nodes.has(key)).length;
  assert.ok(shared >= newTree.nodes.size - 6, `${shared} of ${newTree.nodes.size} nodes shared`);
});

test('a 6 GiB sparse file: identical zero-chunk nodes are fetched once, sizes above 4 GiB round-trip', async () => {
  const zero = leaf('zeros', 256 * 1024);
  const count = (6 * GiB) / zero.length;
  const list: Leaf[] = [leaf('head', 1024), ...Array.from({ length: count - 1 }, () => zero), leaf('tail', 255 * 1024)];
  const tree = buildTree(list);
  assert.ok(tree.nodes.size < 20, `${tree.nodes.size} distinct nodes`);
  const resolved = await resolveTree(tree.root, sizeOf(list), sourceFor(null, tree), NO_LIMIT);
  assert.equal(resolved.chunks.length, list.length);
  assert.equal(resolved.chunks.at(-1)!.offset + resolved.chunks.at(-1)!.length, sizeOf(list));
  assert.ok(resolved.fetchedBytes < 60_000, `${resolved.fetchedBytes} bytes of tree for 6 GiB`);

  const edited = [...list];
  edited[12345] = leaf('edit', zero.length);
  const editedTree = buildTree(edited);
  const delta = await resolveTree(editedTree.root, sizeOf(edited), sourceFor(tree, editedTree), NO_LIMIT);
  assert.ok(delta.fetchedBytes < 40_000, `${delta.fetchedBytes} bytes of tree for a 1-chunk edit`);
  assert.deepEqual(delta.chunks[12345]!.hash, edited[12345]!.hash);
});

test('a node that does not match the hash its parent names is refused', async () => {
  const tree = buildTree(leaves(3000));
  const liar: NodeSource = {
    local: () => undefined,
    fetch: async (hashes) =>
      hashes.map((hash) => {
        const encoded = Buffer.from(tree.nodes.get(hash.toString('hex'))!.encoded);
        if (encoded[1] === 0) encoded[10] ^= 1; // flip a bit in a leaf node
        return encoded;
      }),
  };
  await assert.rejects(resolveTree(tree.root, sizeOf(leaves(3000)), liar, NO_LIMIT), { code: ErrorCode.TREE_INVALID });
});

test('consistent hashes that lie about structure are refused: wrong size, wrong level, empty, too many', async () => {
  const list = leaves(300);
  const tree = buildTree(list);
  await assert.rejects(resolveTree(tree.root, sizeOf(list) + 1, sourceFor(null, tree), NO_LIMIT), { code: ErrorCode.TREE_INVALID });
  await assert.rejects(resolveTree(tree.root, sizeOf(list), sourceFor(null, tree), 100), { code: ErrorCode.TREE_INVALID });

  // A level-1 node whose child claims level 1 again (a cycle-like lie), honestly hashed.
  const bottom: TreeNode = { level: 1, children: [{ hash: leaf('x').hash, bytes: 10 }] };
  const bottomEncoded = encodeNode(bottom);
  const top: TreeNode = { level: 1, children: [{ hash: hashNode(bottomEncoded), bytes: 10 }] };
  const topEncoded = encodeNode(top);
  const forged = new Map([
    [hashNode(topEncoded).toString('hex'), topEncoded],
    [hashNode(bottomEncoded).toString('hex'), bottomEncoded],
  ]);
  const forger: NodeSource = { local: () => undefined, fetch: async (hashes) => hashes.map((h) => forged.get(h.toString('hex'))!) };
  await assert.rejects(resolveTree(hashNode(topEncoded), 10, forger, NO_LIMIT), { code: ErrorCode.TREE_INVALID });

  const empty = encodeNode({ level: 0, children: [] });
  const emptySource: NodeSource = { local: () => undefined, fetch: async () => [empty] };
  await assert.rejects(resolveTree(hashNode(empty), 5, emptySource, NO_LIMIT), { code: ErrorCode.TREE_INVALID });
});

test('decodeNode refuses a truncated node and a bad header even when the hash matches', () => {
  const good = encodeNode({ level: 0, children: [{ hash: leaf('a').hash, bytes: 3 }] });
  for (const bad of [good.subarray(0, good.length - 1), Buffer.concat([Buffer.from([0]), good.subarray(1)])]) {
    assert.throws(() => decodeNode(bad, hashNode(bad)), { code: ErrorCode.TREE_INVALID });
  }
  const roundTrip = decodeNode(good, hashNode(good));
  assert.deepEqual(roundTrip, { level: 0, children: [{ hash: leaf('a').hash, bytes: 3 }] });
});
