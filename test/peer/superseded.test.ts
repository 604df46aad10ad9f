/**
 * Found by the 3-peer soak (seed 20261201, fA46.bin): a file the winner of a
 * conflict deleted came back. A's edit lost to C's; A kept it under a conflict
 * name and took C's version with C's own vector, which leaves out A's counter.
 * C then deleted the file, and A applied the deletion. B, offline meanwhile,
 * still held A's losing edit, and that was concurrent with C's deletion: a live
 * version beats a deletion, so the edit came back at its plain path, beside its
 * own conflict copy. A now remembers what it superseded and the deletion it
 * applies stands for it, so B's stale copy is deleted and nothing comes back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { concurrentEdits, converge, link, peersFor, treeOf, unlink, waitFor } from './harness.js';

const T = 1_800_000_000_000;

/** The share's paths, or null while a sync step changes it under the walk. */
const pathsIn = (shareDir: string): Promise<string[] | null> => treeOf(shareDir).then(Object.keys, () => null);

for (const kind of ['sqlite', 'memory'] as const) {
  test(`a version that lost a conflict, still held by a third peer, does not come back over the winner's deletion (${kind} index)`, async (t) => {
    const { peers: [a, b, c] } = await peersFor(t, `superseded-${kind}`, ['peer-a', 'peer-b', 'peer-c'], kind);
    await writeFile(path.join(a.shareDir, 'f.txt'), 'base\n');
    await a.scan();
    link(a, b);
    link(a, c);
    await converge(a, b, 'base at B');
    await converge(a, c, 'base at C');
    unlink(a, b);
    unlink(a, c);

    // A edits; only B gets it. C edits the base later, so C's version wins.
    await concurrentEdits('f.txt', [a, 'A edit\n', T], [c, 'C edit\n', T + 60_000]);
    link(a, b);
    await converge(a, b, "A's edit at B");
    unlink(a, b);
    link(a, c);
    await waitFor('the conflict resolved at A', async () => (await pathsIn(a.shareDir))?.length === 2);
    await converge(a, c, 'conflict resolved');
    const copy = Object.keys(await treeOf(a.shareDir)).find((p) => p !== 'f.txt')!;
    assert.equal(await readFile(path.join(a.shareDir, copy), 'utf8'), 'A edit\n');

    // The winner deletes its version; A applies that, then meets B again.
    await rm(path.join(c.shareDir, 'f.txt'));
    await c.scan();
    await waitFor('the deletion at A', async () => (await pathsIn(a.shareDir))?.includes('f.txt') === false);
    await converge(a, c, 'deletion at A');
    unlink(a, c);
    link(a, b);
    await converge(a, b, 'A and B');
    assert.deepEqual(Object.keys(await treeOf(b.shareDir)), [copy], "f.txt stays deleted; A's edit is kept once, as its conflict copy");
    assert.equal(await readFile(path.join(b.shareDir, copy), 'utf8'), 'A edit\n');
  });
}
