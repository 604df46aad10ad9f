/**
 * Two real leftsync processes on 127.0.0.1 keep a tree identical while it is
 * edited on either side: create, modify in place, append, truncate, delete,
 * rename, mkdir/rmdir, nested trees, unicode names, empty files, permission bits.
 * After each step both trees must equal the tree of the side that was edited.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, chmod, mkdir, rename, rm, rmdir, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cleanupNodes, removeTempDirs } from '../helpers/node-process.js';
import { PortRange, newSharePair, overwriteAt, startLinkedPair } from '../helpers/sync-node.js';
import { treeOf, waitForSameTrees } from '../helpers/tree.js';

const ports = new PortRange(24000, 24099);

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

test('every kind of edit, on either side, leaves both trees equal', async (t) => {
  const pair = newSharePair(ports);
  const { dirA, dirB } = pair;
  const { a, b } = await startLinkedPair(pair);

  const steps: Array<[string, 'A' | 'B', (dir: string) => Promise<void>]> = [
    ['create files, an empty file, a nested tree, an empty folder, a unicode name', 'A', async (d) => {
      await writeFile(path.join(d, 'a.txt'), 'first version of a\n');
      await writeFile(path.join(d, 'empty.txt'), '');
      await mkdir(path.join(d, 'nested/deeper/deepest'), { recursive: true });
      await writeFile(path.join(d, 'nested/one.txt'), 'one');
      await writeFile(path.join(d, 'nested/deeper/deepest/three.bin'), Buffer.alloc(70_000, 7));
      await mkdir(path.join(d, 'empty-folder'));
      await writeFile(path.join(d, 'ünïcødé 名前 ✓.txt'), 'unicode');
    }],
    ['modify in place (same size)', 'B', (d) => overwriteAt(path.join(d, 'a.txt'), 0, Buffer.from('FIRST'))],
    ['append', 'A', (d) => appendFile(path.join(d, 'a.txt'), 'appended line\n')],
    ['truncate', 'B', (d) => truncate(path.join(d, 'a.txt'), 3)],
    ['truncate to zero', 'A', (d) => truncate(path.join(d, 'nested/one.txt'), 0)],
    ['rename a file', 'B', (d) => rename(path.join(d, 'a.txt'), path.join(d, 'nested/a-renamed.txt'))],
    ['rename a folder', 'A', (d) => rename(path.join(d, 'nested/deeper'), path.join(d, 'moved-deeper'))],
    ['permission bits', 'B', (d) => chmod(path.join(d, 'nested/a-renamed.txt'), 0o600)],
    ['delete a file', 'A', (d) => rm(path.join(d, 'empty.txt'))],
    ['rmdir an empty folder', 'B', (d) => rmdir(path.join(d, 'empty-folder'))],
    ['mkdir', 'B', async (d) => void (await mkdir(path.join(d, 'made-on-b/sub'), { recursive: true }))],
    ['create a nested tree', 'B', async (d) => {
      for (let i = 0; i < 5; i++) {
        await mkdir(path.join(d, `tree-b/level${i}`), { recursive: true });
        await writeFile(path.join(d, `tree-b/level${i}/file${i}.txt`), `content ${i}\n`.repeat(i * 100 + 1));
      }
    }],
    ['delete a nested tree', 'A', (d) => rm(path.join(d, 'moved-deeper'), { recursive: true })],
    ['delete a tree with files', 'A', (d) => rm(path.join(d, 'tree-b'), { recursive: true })],
    ['recreate a deleted name', 'B', (d) => writeFile(path.join(d, 'empty.txt'), 'back again')],
  ];

  for (const [what, side, edit] of steps) {
    const dir = side === 'A' ? dirA : dirB;
    await edit(dir);
    const expected = await treeOf(dir);
    await waitForSameTrees([dirA, dirB], { expected, timeoutMs: 30_000 });
    t.diagnostic(`${side}: ${what} -> ${Object.keys(expected).length} entries equal on both sides`);
  }

  const final = await treeOf(dirA);
  assert.deepEqual(Object.keys(final).sort(), [
    'empty.txt',
    'made-on-b',
    'made-on-b/sub',
    'nested',
    'nested/a-renamed.txt',
    'nested/one.txt',
    'ünïcødé 名前 ✓.txt',
  ]);
  assert.match(final['nested/a-renamed.txt'], /:600$/, 'permission bits synced');
});
