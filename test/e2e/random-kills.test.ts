/**
 * 30 seeded random operations (create, modify, append, delete, rename, mkdir)
 * on either side of two real leftsync processes, while either process is
 * SIGKILLed at random moments and restarted a few operations later. Afterwards
 * both trees must be equal, and no file written by an operation (and not later
 * deleted, renamed or overwritten by another operation) may be lost: its content
 * must be at its path, or at a sync-conflict name of that path when a concurrent
 * edit won the path.
 *
 * The "expected final state" is therefore: both trees equal (whatever the order
 * of the concurrent edits made of them), plus every surviving write present.
 * Operations on a killed side still happen (on its folder, as a user would keep
 * working); they are picked up by the startup scan when it comes back.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fillRandom, splitmix32 } from '../../src/chunker/prng.js';
import { cleanupNodes, removeTempDirs, type NodeProcess } from '../helpers/node-process.js';
import { MiB, PortRange, newShare, overwriteAt, startSyncNode, whenLinked } from '../helpers/sync-node.js';
import { hashOf, isLeftsyncOwn, sha256File, waitForSameTrees, type Tree } from '../helpers/tree.js';

const ports = new PortRange(24500, 24599);
const OPERATIONS = 30;
const SEEDS = process.env.LEFTSYNC_E2E_SEED ? [Number(process.env.LEFTSYNC_E2E_SEED)] : [7, 1234];

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

interface Side {
  name: 'A' | 'B';
  dir: string;
  node: NodeProcess;
  /** Operations left until a killed node is started again; -1 while it runs. */
  downFor: number;
  /** The SIGKILL scheduled for this side (a restart waits for it). */
  killing: Promise<void>;
}

/** Files and folders on one side's disk (relative paths), the state folder and the share marker left out. */
async function listing(dir: string, rel = ''): Promise<{ files: string[]; dirs: string[] }> {
  const out = { files: [] as string[], dirs: [] as string[] };
  for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => [])) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (isLeftsyncOwn(child) || entry.name.includes('.sync-conflict-')) continue;
    if (entry.isDirectory()) {
      out.dirs.push(child);
      const inner = await listing(dir, child);
      out.files.push(...inner.files);
      out.dirs.push(...inner.dirs);
    } else if (entry.isFile()) out.files.push(child);
  }
  return out;
}

/** A content or path of `rel` that a concurrent edit may have moved aside: `stem.sync-conflict-*ext`. */
function isConflictCopyOf(candidate: string, rel: string): boolean {
  const dir = path.posix.dirname(rel);
  const base = path.posix.basename(rel);
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  return path.posix.dirname(candidate) === dir && path.posix.basename(candidate).startsWith(`${stem}.sync-conflict-`);
}

for (const seed of SEEDS) {
  test(`30 random operations with random SIGKILLs of either side converge with no file lost (seed ${seed})`, async (t) => {
    const next = splitmix32(seed);
    const pick = <T>(items: T[]): T => items[next() % items.length]!;
    const chance = (p: number): boolean => next() / 2 ** 32 < p;
    const randomContent = (size: number): Buffer => {
      const bytes = Buffer.alloc(size);
      fillRandom(bytes, next);
      return bytes;
    };
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    const dirA = newShare();
    const dirB = newShare();
    const portA = ports.take();
    const portB = ports.take();
    const sides: Side[] = [
      { name: 'A', dir: dirA, node: startSyncNode(dirA, portA, [portB]), downFor: -1, killing: Promise.resolve() },
      { name: 'B', dir: dirB, node: startSyncNode(dirB, portB, [portA]), downFor: -1, killing: Promise.resolve() },
    ];
    await Promise.all(sides.map((s) => whenLinked(s.node)));

    /** rel path -> SHA-256 of the last content an operation left there. */
    const written = new Map<string, string>();
    const record = async (side: Side, rel: string): Promise<void> => {
      written.set(rel, await sha256File(path.join(side.dir, rel)));
    };
    const log: string[] = [];
    let fresh = 0;

    for (let op = 0; op < OPERATIONS; op++) {
      // Bring back nodes whose downtime is over.
      for (const side of sides) {
        if (side.downFor > 0) side.downFor -= 1;
        if (side.downFor === 0) {
          side.downFor = -1;
          await side.killing;
          side.node.spawn();
          log.push(`restart ${side.name}`);
        }
      }
      // Now and then, SIGKILL a running side at a random moment shortly after this operation.
      if (chance(0.25)) {
        const victim = pick(sides);
        const delay = next() % 500;
        if (victim.downFor < 0) {
          victim.downFor = 1 + (next() % 3);
          log.push(`kill ${victim.name} in ${delay} ms`);
          victim.killing = sleep(delay).then(() => victim.node.kill('SIGKILL'));
        }
      }

      const side = pick(sides);
      const { files, dirs } = await listing(side.dir);
      const kinds = ['create', 'create', 'modify', 'append', 'delete', 'rename', 'mkdir'] as const;
      let kind: (typeof kinds)[number] = pick([...kinds]);
      if (files.length === 0 && kind !== 'mkdir') kind = 'create';
      const folder = dirs.length > 0 && chance(0.5) ? pick(dirs) + '/' : '';
      // Some files are large so that kills land in the middle of transfers.
      const size = chance(0.2) ? (1 + (next() % 6)) * MiB + (next() % 1000) : 1 + (next() % 20_000);

      if (kind === 'create') {
        const rel = `${folder}file-${side.name}${fresh++}.${chance(0.5) ? 'txt' : 'bin'}`;
        await writeFile(path.join(side.dir, rel), randomContent(size));
        await record(side, rel);
        log.push(`${side.name} create ${rel} (${size} bytes)`);
      } else if (kind === 'modify') {
        const rel = pick(files);
        const abs = path.join(side.dir, rel);
        const length = (await stat(abs)).size;
        if (length > 0 && chance(0.6)) await overwriteAt(abs, next() % length, randomContent(1 + (next() % 200)));
        else await writeFile(abs, randomContent(size));
        await record(side, rel);
        log.push(`${side.name} modify ${rel}`);
      } else if (kind === 'append') {
        const rel = pick(files);
        await appendFile(path.join(side.dir, rel), randomContent(1 + (next() % 5000)));
        await record(side, rel);
        log.push(`${side.name} append ${rel}`);
      } else if (kind === 'delete') {
        const rel = pick(files);
        await rm(path.join(side.dir, rel), { force: true });
        written.delete(rel);
        log.push(`${side.name} delete ${rel}`);
      } else if (kind === 'rename') {
        const rel = pick(files);
        const to = `${folder}renamed-${side.name}${fresh++}${path.extname(rel)}`;
        await rename(path.join(side.dir, rel), path.join(side.dir, to));
        written.delete(rel);
        await record(side, to);
        log.push(`${side.name} rename ${rel} -> ${to}`);
      } else {
        const rel = `${folder}dir-${side.name}${fresh++}`;
        await mkdir(path.join(side.dir, rel), { recursive: true });
        log.push(`${side.name} mkdir ${rel}`);
      }
      await sleep(next() % 300);
    }

    await Promise.all(sides.map((s) => s.killing));
    for (const side of sides) {
      if (!side.node.running) {
        side.node.spawn();
        log.push(`restart ${side.name} (end)`);
      }
    }
    t.diagnostic(log.join('; '));

    let tree: Tree;
    try {
      tree = await waitForSameTrees([dirA, dirB], { stableMs: 3_000, timeoutMs: 120_000 });
    } catch (err) {
      throw new Error(`${(err as Error).message}\noperations: ${log.join('; ')}`);
    }
    const lost: string[] = [];
    for (const [rel, hash] of written) {
      const kept = hashOf(tree[rel]) === hash || Object.keys(tree).some((p) => isConflictCopyOf(p, rel) && hashOf(tree[p]) === hash);
      if (!kept) lost.push(`${rel} (${hash.slice(0, 12)}): now ${tree[rel]?.slice(0, 20) ?? 'absent'}`);
    }
    const conflicts = Object.keys(tree).filter((p) => p.includes('.sync-conflict-'));
    t.diagnostic(`${log.filter((l) => l.startsWith('kill')).length} kills; ${written.size} surviving writes; ` +
      `${Object.keys(tree).length} entries on both sides; ${conflicts.length} conflict copies`);
    assert.deepEqual(lost, [], `writes lost:\n${lost.join('\n')}\noperations: ${log.join('; ')}`);
  });
}
