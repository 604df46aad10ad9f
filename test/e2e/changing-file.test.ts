/**
 * A file rewritten in place over and over, each rewrite in several writes with
 * pauses between them, so the sender's scanner is likely to read it halfway
 * through one: the receiver's copy, sampled all along, is always one whole
 * version (never blocks of two), and ends as the last one. Propagation of a
 * quiet small file is not held back by the settle time.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cleanupNodes, removeTempDirs } from '../helpers/node-process.js';
import { PortRange, newSharePair, startLinkedPair } from '../helpers/sync-node.js';
import { treeOf, waitForSameTrees, waitUntil } from '../helpers/tree.js';

const ports = new PortRange(24700, 24799);
const BLOCK = 64 * 1024;
const BLOCKS = 24;

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

/** Version `v` of the file: every block starts with v and is filled with a byte derived from it. */
function block(v: number): Buffer {
  const data = Buffer.alloc(BLOCK, v % 251);
  data.writeUInt32BE(v, 0);
  return data;
}

/** The versions the blocks of `data` belong to (one entry: a whole version). */
function versionsIn(data: Buffer): Set<number> {
  const versions = new Set<number>();
  for (let at = 0; at < data.length; at += BLOCK) {
    const v = data.readUInt32BE(at);
    if (!data.subarray(at, at + BLOCK).equals(block(v))) versions.add(-1);
    versions.add(v);
  }
  if (data.length !== BLOCK * BLOCKS) versions.add(-2);
  return versions;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a file that keeps changing while it is hashed never reaches the peer as a mix of two writes', async (t) => {
  const pair = newSharePair(ports);
  const { dirA, dirB } = pair;
  const file = path.join(dirA, 'busy.bin');
  await writeFile(file, Buffer.concat(Array.from({ length: BLOCKS }, () => block(0))));
  await startLinkedPair(pair);
  const copy = path.join(dirB, 'busy.bin');
  await waitUntil('version 0 at B', async () => (await readFile(copy).catch(() => null)) !== null, 60_000);

  let writing = true;
  let last = 0;
  const writer = (async () => {
    const handle = await open(file, 'r+');
    try {
      for (let v = 1; v <= 40; v++) {
        for (let b = 0; b < BLOCKS; b++) {
          await handle.write(block(v), 0, BLOCK, b * BLOCK);
          if (b % 6 === 5) await sleep(3); // halfway through a version for a while
        }
        last = v;
        await sleep(10);
      }
    } finally {
      await handle.close();
      writing = false;
    }
  })();
  const seen = new Set<number>();
  while (writing) {
    const data = await readFile(copy).catch(() => null);
    if (data !== null) {
      const versions = versionsIn(data);
      assert.equal(versions.size, 1, `the receiver's copy mixes versions ${[...versions].join(',')}`);
      seen.add([...versions][0]!);
    }
    await sleep(5);
  }
  await writer;
  const expected = await treeOf(dirA);
  await waitForSameTrees([dirA, dirB], { expected, timeoutMs: 60_000 });
  assert.deepEqual([...versionsIn(await readFile(copy))], [last]);
  t.diagnostic(`versions seen at the receiver while writing: ${[...seen].sort((x, y) => x - y).join(',')}`);
});
