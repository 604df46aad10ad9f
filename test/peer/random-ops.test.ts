import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { splitmix32 } from '../../src/chunker/prng.js';
import { cleanup, createPeer, link, makeTempDir, sameTrees, treeOf, unlink, waitFor, type TestPeer } from './harness.js';

const NAMES = ['a.txt', 'b.txt', 'dir/c.txt', 'dir/sub/d.bin', 'e'];

async function randomOp(peer: TestPeer, next: () => number, tag: string): Promise<void> {
  const name = NAMES[next() % NAMES.length]!;
  const abs = path.join(peer.shareDir, name);
  const roll = next() % 10;
  if (roll < 7) {
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, `${tag} ${name} ${next()}\n`.repeat(1 + (next() % 50)));
  } else {
    await rm(abs, { force: true, recursive: true });
  }
}

function describe(peer: TestPeer): string {
  const show = (e: { path: string; deleted: boolean; version: object; digest: Buffer; sequence: number }) =>
    `${e.path}${e.deleted ? ' (deleted)' : ''} v=${JSON.stringify(e.version)} d=${e.digest.toString('hex').slice(0, 8)} seq=${e.sequence}`;
  const other = peer.id === 'peer-a' ? 'peer-b' : 'peer-a';
  return [`${peer.id} local:`, ...peer.index.all().map(show), `${peer.id} remote:`, ...peer.index.remoteEntries(other).map(show)].join('\n  ');
}

async function settle(a: TestPeer, b: TestPeer, what: string): Promise<void> {
  try {
    await waitFor(what, () => sameTrees(a, b), 15_000);
  } catch (err) {
    throw new Error(`${(err as Error).message}\nA: ${JSON.stringify(await treeOf(a.shareDir))}\nB: ${JSON.stringify(await treeOf(b.shareDir))}\n${describe(a)}\n${describe(b)}`);
  }
  await Promise.all([...a.sessions, ...b.sessions].map((s) => s.whenIdle()));
}

// 21 and 34 ended with equal version vectors for different content under CPU load
// before a path's version stopped going backwards (see stale-base.test.ts).
for (const seed of [1, 2, 3, 21, 34]) {
  test(`random operations on both sides, with disconnections, converge (seed ${seed})`, async () => {
    const root = await makeTempDir(`random-${seed}`);
    const a = await createPeer(root, 'peer-a');
    const b = await createPeer(root, 'peer-b');
    const next = splitmix32(seed);
    try {
      for (let round = 0; round < 6; round++) {
        const connected = round % 2 === 0;
        if (connected) link(a, b);
        for (let i = 0; i < 5; i++) {
          await randomOp(a, next, `A${round}.${i}`);
          await a.scan();
          await randomOp(b, next, `B${round}.${i}`);
          await b.scan();
        }
        if (connected) {
          await settle(a, b, `round ${round}`);
          unlink(a, b);
        }
      }
      // Last round: both sides write while apart; every written content must survive.
      const written: string[] = [];
      for (const [peer, tag] of [[a, 'A'], [b, 'B']] as const) {
        for (const name of ['a.txt', 'dir/c.txt', `only-${tag}.txt`]) {
          const content = `final ${tag} ${name}\n`;
          await mkdir(path.dirname(path.join(peer.shareDir, name)), { recursive: true }).catch(() => undefined);
          await rm(path.join(peer.shareDir, name), { recursive: true, force: true });
          await writeFile(path.join(peer.shareDir, name), content);
          written.push(content);
        }
        await peer.scan();
      }
      link(a, b);
      await settle(a, b, 'final');
      assert.deepEqual(await treeOf(a.shareDir), await treeOf(b.shareDir));
      const tree = await treeOf(a.shareDir);
      const contents = new Set<string>();
      for (const [rel, kind] of Object.entries(tree)) {
        if (kind.startsWith('file:')) contents.add(await readFile(path.join(a.shareDir, rel), 'utf8'));
      }
      for (const content of written) assert.ok(contents.has(content), `kept: ${JSON.stringify(content)} in ${Object.keys(tree)}`);
      // Both indexes agree on every live path's digest.
      for (const entry of a.index.all()) {
        const other = b.index.get(entry.path);
        if (entry.deleted) assert.ok(!other || other.deleted, `${entry.path} deleted on both`);
        else assert.equal(createHash('sha256').update(other!.digest).digest('hex'), createHash('sha256').update(entry.digest).digest('hex'));
      }
    } finally {
      await cleanup(root, [a, b]);
    }
  });
}
