/**
 * The chunk-tree exchange through a real puller and supplier: a peer holding an
 * older version fetches only the nodes on the path of a change; every node is
 * checked against the hash its parent names, so a lying supplier fails the pull
 * and nothing is written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { buildTree } from '../../src/chunker/tree.js';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';
import type { Frame } from '../../src/protocol/messages.js';
import { cleanup } from '../peer/harness.js';
import { sha256File } from '../helpers/tree.js';
import { createRig, putFile, setup } from './rig.js';

const MiB = 1024 * 1024;

test('a changed leaf: the puller fetches only the tree nodes on its path, and only its chunks', async () => {
  const { root, src, dst } = await setup('tree-leaf');
  try {
    const data = randomBytes(32 * MiB);
    const v1 = await putFile(src, 'f.bin', data);
    const first = createRig(src, dst);
    assert.equal(await first.apply(v1), 'applied');
    const nodesV1 = buildTree(src.index.chunksOf('f.bin')).nodes.size;
    assert.equal(first.treeNodesAsked, nodesV1, 'a cold pull fetches the whole tree');
    assert.ok(nodesV1 >= 4, `a tree of several nodes: ${nodesV1}`);

    const edited = Buffer.from(data);
    edited.write('changed leaf', 20 * MiB);
    const v2 = await putFile(src, 'f.bin', edited);
    const rig = createRig(src, dst);
    assert.equal(await rig.apply(v2), 'applied');
    assert.ok((await readFile(path.join(dst.shareDir, 'f.bin'))).equals(edited));
    // The root and the leaf node holding the changed chunk (a third when the edit moved a node boundary).
    assert.ok(rig.treeNodesAsked >= 2 && rig.treeNodesAsked <= 3, `nodes fetched: ${rig.treeNodesAsked} of ${nodesV1}`);
    assert.ok(rig.requestedOffsets.length <= 3, `chunks fetched: ${rig.requestedOffsets.length}`);
  } finally {
    await cleanup(root, [src, dst]);
  }
});

test('a file renamed or copied under a new name costs no tree node and no chunk: its root is held locally', async () => {
  const { root, src, dst } = await setup('tree-rename');
  try {
    const data = randomBytes(24 * MiB);
    const v1 = await putFile(src, 'old.bin', data);
    assert.equal(await createRig(src, dst).apply(v1), 'applied');
    const moved = await putFile(src, 'new.bin', data);
    const rig = createRig(src, dst);
    assert.equal(await rig.apply(moved), 'applied');
    assert.ok((await readFile(path.join(dst.shareDir, 'new.bin'))).equals(data));
    assert.equal(rig.treeNodesAsked, 0, 'the tree of a root we hold under another name is ours already');
    assert.equal(rig.requestedOffsets.length, 0, 'every chunk is copied from old.bin');
  } finally {
    await cleanup(root, [src, dst]);
  }
});

test('a node that does not match the hash its parent names is refused: nothing is written', async () => {
  const { root, src, dst } = await setup('tree-lie');
  try {
    const entry = await putFile(src, 'l.bin', randomBytes(4 * MiB));
    const tamper = (frame: Frame): Frame => {
      if (!frame.treeReply || frame.treeReply.nodes.length === 0) return frame;
      const nodes = frame.treeReply.nodes.map((node) => Uint8Array.from(node));
      // One child's byte count changed: a well-formed node, but not the one asked for.
      nodes[0]![nodes[0]!.length - 1] ^= 1;
      return { treeReply: { ...frame.treeReply, nodes } };
    };
    const rig = createRig(src, dst, { tamper });
    await assert.rejects(rig.apply(entry), (err: LeftsyncError) => err.code === ErrorCode.TREE_INVALID);
    assert.equal(rig.requestedOffsets.length, 0, 'no chunk is asked for on a lying tree');
    await assert.rejects(stat(path.join(dst.shareDir, 'l.bin')));
    assert.equal(dst.index.get('l.bin'), undefined);
    assert.equal(dst.index.partials().length, 0);
  } finally {
    await cleanup(root, [src, dst]);
  }
});

test('a supplier whose own tree lies about the bytes it covers is refused', async () => {
  const { root, src, dst } = await setup('tree-lie-bytes');
  try {
    const real = await putFile(src, 'b.bin', randomBytes(2 * MiB));
    // A tree that hashes correctly from its root but covers more bytes than the entry's size.
    const chunks = src.index.chunksOf('b.bin');
    const forged = [...chunks, { offset: real.size, length: 1000, hash: chunks[0]!.hash }];
    const lying = src.index.recordLocalChange({ ...real, digest: buildTree(forged).root }, forged);
    const rig = createRig(src, dst);
    await assert.rejects(rig.apply(lying), (err: LeftsyncError) => err.code === ErrorCode.TREE_INVALID);
    assert.equal(rig.requestedOffsets.length, 0);
    await assert.rejects(stat(path.join(dst.shareDir, 'b.bin')));
  } finally {
    await cleanup(root, [src, dst]);
  }
});

test('a bad chunk is refetched, never written, though its tree was right', async () => {
  const { root, src, dst } = await setup('tree-bad-chunk');
  try {
    const data = randomBytes(MiB);
    const entry = await putFile(src, 'c.bin', data);
    let spoiled = 0;
    const tamper = (frame: Frame): Frame => {
      if (!frame.chunkReply || spoiled > 0 || frame.chunkReply.payload.length === 0) return frame;
      spoiled++;
      const payload = Uint8Array.from(frame.chunkReply.payload);
      payload[payload.length - 1] ^= 0xff;
      return { chunkReply: { ...frame.chunkReply, payload } };
    };
    const rig = createRig(src, dst, { tamper });
    assert.equal(await rig.apply(entry), 'applied');
    assert.equal(spoiled, 1);
    assert.equal(rig.requestedOffsets.length, src.index.chunksOf('c.bin').length + 1, 'the spoiled chunk was asked again');
    assert.ok((await readFile(path.join(dst.shareDir, 'c.bin'))).equals(data));
  } finally {
    await cleanup(root, [src, dst]);
  }
});

test('a 6 GiB sparse file syncs, then a 1 MiB edit in it costs its path of the tree', { timeout: 600_000 }, async () => {
  const { root, src, dst } = await setup('tree-6g');
  try {
    const size = 6 * 1024 * MiB;
    const file = path.join(src.shareDir, 'sparse.img');
    const writeAt = async (position: number, bytes: Buffer): Promise<void> => {
      const handle = await open(file, 'r+');
      try {
        await handle.write(bytes, 0, bytes.length, position);
      } finally {
        await handle.close();
      }
    };
    await (await open(file, 'w')).close();
    const handle = await open(file, 'r+');
    await handle.truncate(size);
    await handle.close();
    await writeAt(3 * 1024 * MiB, randomBytes(MiB));
    await src.scan(['sparse.img']);
    const v1 = src.index.get('sparse.img')!;
    assert.equal(v1.size, size);
    const first = createRig(src, dst);
    assert.equal(await first.apply(v1), 'applied');
    // Reading 6 GiB twice per comparison dominates the test: the bytes are compared once, after the edit.
    assert.equal((await stat(path.join(dst.shareDir, 'sparse.img'))).size, size);

    await writeAt(5 * 1024 * MiB + 12345, randomBytes(MiB));
    await src.scan(['sparse.img']);
    const v2 = src.index.get('sparse.img')!;
    const rig = createRig(src, dst);
    assert.equal(await rig.apply(v2), 'applied');
    assert.equal(await sha256File(path.join(dst.shareDir, 'sparse.img')), await sha256File(file));
    const stats = rig.pullerStats.snapshot();
    assert.ok(stats.received.rawBytes < 3 * MiB, `received ${stats.received.rawBytes} bytes for a 1 MiB edit`);
    assert.ok(rig.treeNodesAsked <= 12, `tree nodes fetched for the edit: ${rig.treeNodesAsked}`);
  } finally {
    await cleanup(root, [src, dst]);
  }
});
