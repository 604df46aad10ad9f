/**
 * The soak's lost edit (seed 20261201), replayed without its timing: B places
 * A's next version of a file it already has while B's user saves the file,
 * the save landing after the applier checked the file and before its rename.
 * B's edit must survive: at its path or as a conflict copy, on both peers.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { writeBeforeNextRename } from '../fs/late-write.js';
import { cleanup, createPeer, link, makeTempDir, sameTrees, treeOf, waitFor, type TestPeer } from './harness.js';

const EDIT = Buffer.from('saved on B while A\'s version was being placed');
const editHash = createHash('sha256').update(EDIT).digest('hex').slice(0, 16);

async function settled(a: TestPeer, b: TestPeer, what: string): Promise<Record<string, string>> {
  await waitFor(what, async () => {
    await Promise.all([...a.sessions, ...b.sessions].map((s) => s.whenIdle()));
    return sameTrees(a, b);
  });
  return treeOf(a.shareDir);
}

test('an edit saved while a remote version is placed over the file is kept', async () => {
  const root = await makeTempDir('late-edit');
  const a = await createPeer(root, 'A');
  const b = await createPeer(root, 'B');
  let late: ReturnType<typeof writeBeforeNextRename> | null = null;
  try {
    await writeFile(path.join(a.shareDir, 'fB25.bin'), Buffer.alloc(9222, 0x61));
    await a.scan();
    await b.scan();
    link(a, b);
    await settled(a, b, 'the first version on both');

    late = writeBeforeNextRename(path.join(b.shareDir, 'fB25.bin'), EDIT);
    await writeFile(path.join(a.shareDir, 'fB25.bin'), Buffer.alloc(8547, 0x62));
    await a.scan(['fB25.bin']);
    await waitFor('B placing A\'s version', () => late!.fired);
    late.restore();
    // B's watcher would report the save; the harness has none, so B scans.
    await b.scan(['fB25.bin']);
    const tree = await settled(a, b, 'both peers agreeing');
    const holding = Object.entries(tree).filter(([, content]) => content.startsWith(`file:${editHash}:`)).map(([p]) => p);
    assert.equal(holding.length, 1, `B's edit is somewhere: ${JSON.stringify(tree)}`);
    assert.ok(holding[0] === 'fB25.bin' || holding[0]!.startsWith('fB25.sync-conflict-'), `kept as ${holding[0]}`);
  } finally {
    late?.restore();
    await cleanup(root, [a, b]);
  }
});
