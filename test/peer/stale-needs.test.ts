/**
 * Found by the 3-peer soak (seed 20261201, rC23/dC48): a folder came back. C held
 * B's entry for rC23/dC48/fB64 from an earlier link, never applied; B had since
 * moved the folder away, and C had the file at its new name. When C and B linked
 * again, C acted on the stored entry before B's Index reply arrived: it built the
 * file from its own chunks (no request to B), creating rC23/dC48, then B's reply
 * deleted the file and left the folder, which the scanner recorded as new. A
 * session now looks at stored needs once the peer's Index reply is stored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { converge, link, peersFor, treeOf } from './harness.js';

test("a need stored before a disconnect waits for the peer's Index reply: a file the peer moved away is not placed at its old name", async (t) => {
  const { peers: [a, b] } = await peersFor(t, 'stale-needs', ['peer-a', 'peer-b']);
  await mkdir(path.join(b.shareDir, 'old'));
  await writeFile(path.join(b.shareDir, 'old', 'f.bin'), 'the same bytes at either name\n');
  await b.scan();
  // A stored B's entries on an earlier link and applied none of them.
  a.index.storeRemoteEntries(b.id, b.index.indexId, b.index.all());
  // A has the file's bytes already, under the name B moved it to.
  await mkdir(path.join(a.shareDir, 'new'));
  await writeFile(path.join(a.shareDir, 'new', 'f.bin'), 'the same bytes at either name\n');
  await a.scan();
  await rename(path.join(b.shareDir, 'old'), path.join(b.shareDir, 'new'));
  await b.scan();

  const placedAtOldName: string[] = [];
  a.events.subscribe((event) => {
    if (event.type === 'file.synced' && event.data.path.startsWith('old/')) placedAtOldName.push(event.data.path);
  });
  link(a, b);
  await converge(a, b, 'after the link');
  assert.deepEqual(placedAtOldName, [], 'nothing was placed under the folder B had moved away');
  assert.deepEqual(Object.keys(await treeOf(a.shareDir)), ['new', 'new/f.bin']);
});
