/**
 * SIGKILL of a receiver while it pulls batches of small files (through the
 * real CLI): every file in its share is then absent or exactly the sender's
 * (a batch's temp files live in the state folder and each is renamed into
 * place whole), and after a restart the peers converge.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cleanupNodes, removeTempDirs } from '../helpers/node-process.js';
import { PortRange, newSharePair, startSyncNode, whenLinked } from '../helpers/sync-node.js';
import { treeOf, waitForSameTrees, waitUntil } from '../helpers/tree.js';

const ports = new PortRange(24600, 24699);
const FOLDERS = 20;
const PER_FOLDER = 100;

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

test('a receiver SIGKILLed in the middle of small-file batches shows no partial file and converges after restart', async (t) => {
  const { dirA, dirB, portA, portB } = newSharePair(ports);
  for (let d = 0; d < FOLDERS; d++) {
    await mkdir(path.join(dirA, `folder-${d}`));
    for (let f = 0; f < PER_FOLDER; f++) {
      await writeFile(path.join(dirA, `folder-${d}`, `file-${f}.bin`), randomBytes(1024 + ((d * PER_FOLDER + f) % 7) * 1024));
    }
  }
  const expected = await treeOf(dirA);
  const a = startSyncNode(dirA, portA, [portB]);
  await a.waitForEvent('node.started', {}, 60_000);
  const b = startSyncNode(dirB, portB, [portA]);
  const done = () => b.events.filter((e) => e.event === 'transfer.done').length;
  await waitUntil('the receiver placed some files', () => done() >= 200, 60_000);
  await b.kill('SIGKILL');

  const partial = await treeOf(dirB);
  const files = Object.keys(partial).filter((p) => partial[p]!.startsWith('file:'));
  t.diagnostic(`killed with ${files.length} of ${FOLDERS * PER_FOLDER} files in place`);
  assert.ok(files.length < FOLDERS * PER_FOLDER, 'killed before the end');
  for (const [relPath, value] of Object.entries(partial)) {
    assert.equal(value, expected[relPath], `${relPath} is the sender's version, whole (no temp or partial file in the share)`);
  }

  b.spawn();
  await whenLinked(b);
  await waitForSameTrees([dirA, dirB], { expected, timeoutMs: 120_000 });
});
