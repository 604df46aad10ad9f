/**
 * --dry-run between two real processes. A and B sync, A stops; B then edits a
 * file both have, deletes one, adds a folder, files and a link; both edit a
 * third file (A's edit older, so A's loses). A run with --dry-run must list
 * every one of those, leave A's share exactly as it was (contents, modes,
 * mtimes), tell B nothing (B's share unchanged too), and exit 0; --json gives
 * the same plan as JSON lines.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../helpers/cli-run.js';
import { cleanupNodes, removeTempDirs } from '../helpers/node-process.js';
import { PortRange, QUICK, SECRET, newSharePair, startSyncNode, transfersDone, whenLinked } from '../helpers/sync-node.js';
import { treeOf, treeOrNull, waitUntil, type Tree } from '../helpers/tree.js';
import type { PlanItem } from '../../src/peer/dry-run.js';

const ports = new PortRange(26800, 26899);

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

/** The tree plus every entry's mtime: "unchanged" means not even touched. */
async function snapshot(dir: string): Promise<{ tree: Tree; mtimes: Record<string, number> }> {
  const tree = await treeOf(dir);
  const mtimes: Record<string, number> = {};
  for (const rel of Object.keys(tree)) mtimes[rel] = (await lstat(path.join(dir, rel))).mtimeMs;
  return { tree, mtimes };
}

test('--dry-run lists what would be pulled, deleted, created and kept as a conflict, changes nothing, exits 0', { timeout: 180_000 }, async () => {
  const pair = newSharePair(ports);
  const { dirA, dirB } = pair;
  let a = startSyncNode(dirA, pair.portA, [pair.portB]);
  const b = startSyncNode(dirB, pair.portB, [pair.portA]);
  await Promise.all([whenLinked(a), whenLinked(b)]);
  for (const [name, text] of [['shared.txt', 'v1\n'], ['old.txt', 'to be deleted\n'], ['both.txt', 'base\n']]) {
    await writeFile(path.join(dirA, name!), text!);
  }
  await waitUntil('the three files at B', () => ['shared.txt', 'old.txt', 'both.txt'].every((p) => transfersDone(b, p).length > 0), 30_000);
  await a.kill('SIGTERM');

  // B moves on while A is away.
  const mark = b.mark();
  await writeFile(path.join(dirB, 'shared.txt'), 'v2 from B\n');
  await rm(path.join(dirB, 'old.txt'));
  await mkdir(path.join(dirB, 'docs'));
  await writeFile(path.join(dirB, 'docs/new.txt'), 'new at B\n');
  await writeFile(path.join(dirB, 'big.bin'), randomBytes(300 * 1024));
  await symlink('docs/new.txt', path.join(dirB, 'link'));
  await writeFile(path.join(dirB, 'both.txt'), "B's edit\n");
  await b.waitForEvent('local.deleted', { path: 'old.txt' }, 15_000, mark);
  for (const p of ['shared.txt', 'docs/new.txt', 'big.bin', 'both.txt']) await b.waitForEvent('local.changed', { path: p }, 15_000, mark);
  await b.waitForEvent('local.symlink', { path: 'link' }, 15_000, mark);
  // A's concurrent edit, an hour older: it loses, so A would keep it as a conflict copy.
  await writeFile(path.join(dirA, 'both.txt'), "A's edit\n");
  const hourAgo = new Date(Date.now() - 3600_000);
  await utimes(path.join(dirA, 'both.txt'), hourAgo, hourAgo);

  const beforeA = await snapshot(dirA);
  const beforeB = await snapshot(dirB);
  const args = ['--dir', dirA, '--port', String(pair.portA), '--listen', '127.0.0.1', '--secret', SECRET, '--ip', `127.0.0.1:${pair.portB}`, ...QUICK, '--dry-run'];

  const text = await runCli(args, { timeoutMs: 60_000 });
  assert.equal(text.code, 0, text.stderr);
  const lines = text.stdout.split('\n').filter((line) => line !== '');
  const line = (re: RegExp): void => assert.ok(lines.some((l) => re.test(l)), `a line matching ${re} in:\n${lines.join('\n')}`);
  line(/^pull +shared\.txt \(10 bytes, replaces ours\)$/);
  line(/^delete +old\.txt \(file\)$/);
  line(/^mkdir +docs$/);
  line(/^pull +docs\/new\.txt \(9 bytes, new\)$/);
  line(/^pull +big\.bin \(307200 bytes, new\)$/);
  line(/^symlink +link -> docs\/new\.txt$/);
  line(/^conflict +both\.txt \(changed on both sides: ours would be kept as both\.sync-conflict-\d{8}-\d{6}-\S+\.txt\)$/);
  line(/^pull +both\.txt \(9 bytes, replaces ours\)$/);
  assert.equal(lines.length, 8, lines.join('\n'));
  assert.match(text.stderr, /dryrun\.done/);

  const json = await runCli([...args, '--json'], { timeoutMs: 60_000 });
  assert.equal(json.code, 0, json.stderr);
  const items = json.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as PlanItem);
  const actions = items.map((i) => `${i.action} ${i.path}`).sort();
  assert.deepEqual(actions, ['conflict both.txt', 'delete old.txt', 'mkdir docs', 'pull big.bin', 'pull both.txt', 'pull docs/new.txt', 'pull shared.txt', 'symlink link']);
  const big = items.find((i) => i.path === 'big.bin');
  assert.ok(big?.action === 'pull' && big.size === 300 * 1024 && big.replaces === false);

  assert.deepEqual(await snapshot(dirA), beforeA, "A's share is exactly as before");
  assert.deepEqual(await snapshot(dirB), beforeB, "B learned nothing from a dry run: its share is as before");

  // And a real run then does what the plan said.
  a = startSyncNode(dirA, pair.portA, [pair.portB]);
  await waitUntil('the plan carried out at A', async () => {
    // Null while the applier changes the share under the walk (old.txt deleted between readdir and lstat).
    const tree = await treeOrNull(dirA);
    if (tree === null) return false;
    return tree['old.txt'] === undefined && tree['big.bin'] !== undefined && tree['link'] === 'link:docs/new.txt' && Object.keys(tree).some((p) => p.startsWith('both.sync-conflict-'));
  }, 60_000);
});
