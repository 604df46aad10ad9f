/**
 * The many-files rows of `npm run bench` (issue 10): 10,000 small files at once,
 * 50 mixed files plus one large, the latency of one small file, and renames of
 * a large file and of a folder. Each row starts its own pair in its own folder.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  MiB,
  Pair,
  countFiles,
  expectSame,
  goal,
  measureLeftsync,
  rssGoal,
  rsyncTo,
  settle,
  untilDone,
  untilTrue,
  writeRandomFile,
  type Context,
  type RowResult,
  type Side,
} from './pair.js';
import { TcpTally } from './measure.js';
import { sha256File } from './sync-rig.js';

function row(name: string, title: string, leftsync: Side | null, rsync: Side | null): RowResult {
  return { name, title, leftsync, rsync, figures: {}, goals: [], notes: [] };
}

function met(value: number, ok: (v: number) => boolean): boolean | null {
  return Number.isFinite(value) ? ok(value) : null;
}

function ratio(r: RowResult): number {
  return r.leftsync && r.rsync ? r.leftsync.seconds / r.rsync.seconds : NaN;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

interface Tree {
  /** Path relative to the tree's root -> SHA-256. */
  hashes: Map<string, string>;
}

/** Writes `files` (relative path -> size) under `dir`, 64 at a time, and hashes them. */
async function writeTree(dir: string, files: Array<[string, number]>): Promise<Tree> {
  const hashes = new Map<string, string>();
  for (let i = 0; i < files.length; i += 64) {
    await Promise.all(
      files.slice(i, i + 64).map(async ([rel, size]) => {
        const path = join(dir, rel);
        await mkdir(join(path, '..'), { recursive: true });
        if (size > 4 * MiB) await writeRandomFile(path, size);
        else await writeFile(path, randomBytes(size));
        hashes.set(rel, await sha256File(path));
      }),
    );
  }
  return { hashes };
}

async function checkTree(root: string, tree: Tree, what: string): Promise<void> {
  const count = await countFiles(root);
  if (count !== tree.hashes.size) throw new Error(`${what}: ${count} files under ${root}, expected ${tree.hashes.size}`);
  for (const [rel, hash] of tree.hashes) await expectSame(join(root, rel), hash, what);
}

/**
 * A tree appears on A at once (one rename of its top folder); time until B has
 * every file (transfer.done per path), against `rsync -a DIR/`.
 */
async function treeAppears(ctx: Context, group: string, files: Array<[string, number]>): Promise<{ leftsync: Side; rsync: Side | null }> {
  const root = join(ctx.work, group);
  const staged = join(root, 'stage', group);
  const src = join(root, 'src', group);
  const tree = await writeTree(staged, files);
  await cp(staged, src, { recursive: true });
  const pair = await Pair.start(ctx, join(root, 'pair'));
  try {
    const leftsync = await measureLeftsync(pair, () => rename(staged, join(pair.dirA, group)), untilDone(pair.b, (p) => p.startsWith(`${group}/`), files.length));
    await checkTree(join(pair.dirB, group), tree, `leftsync ${group}`);
    const rsync = await rsyncTo(ctx, `${src}/`, group);
    if (rsync && ctx.daemon) await checkTree(join(ctx.daemon.modulePath, group), tree, `rsync ${group}`);
    return { leftsync, rsync };
  } finally {
    await pair.stop();
  }
}

/** 10,000 files of 4 KiB in 100 folders. */
export async function manyFiles(ctx: Context): Promise<RowResult[]> {
  const count = Math.max(1, Math.round(10_000 * ctx.scale.files));
  const folders = Math.max(1, Math.round(count / 100));
  const files: Array<[string, number]> = [];
  for (let i = 0; i < count; i++) files.push([`d${String(i % folders).padStart(3, '0')}/f${String(i).padStart(5, '0')}.bin`, 4096]);
  const { leftsync, rsync } = await treeAppears(ctx, 'many', files);
  const r = row('many', `${count.toLocaleString('en')} files of 4 KiB in ${folders} folders`, leftsync, rsync);
  r.goals.push(goal('<2 s', met(leftsync.seconds, (s) => s < 2)), goal('<=6x rsync', met(ratio(r), (x) => x <= 6)), rssGoal(leftsync));
  return [r];
}

/** 50 files of 1 KB to 20 MB (log-uniform) plus one of 200 MiB. */
export async function mixedFiles(ctx: Context): Promise<RowResult[]> {
  const largest = ctx.scale.midMib * MiB;
  const maxSmall = Math.min(20e6, largest / 10);
  const files: Array<[string, number]> = [];
  for (let i = 0; i < 50; i++) {
    const size = Math.round(1e3 * Math.pow(maxSmall / 1e3, i / 49));
    files.push([`m/f${String(i).padStart(2, '0')}.bin`, size]);
  }
  files.push(['large.bin', largest]);
  const { leftsync, rsync } = await treeAppears(ctx, 'mixed', files);
  const r = row('mixed', `50 files of 1 KB-${(maxSmall / 1e6).toFixed(0)} MB + one of ${ctx.scale.midMib} MiB`, leftsync, rsync);
  r.goals.push(goal('<=1.5x rsync', met(ratio(r), (x) => x <= 1.5)), rssGoal(leftsync));
  return [r];
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * 20 times: a 1 KiB file is renamed into A; until B's transfer.done for it. rsync:
 * a one-shot run syncing that one file. Median and max of each.
 */
export async function latency(ctx: Context): Promise<RowResult[]> {
  const runs = 20;
  const root = join(ctx.work, 'latency');
  const stage = join(root, 'stage');
  const src = join(root, 'src');
  await mkdir(stage, { recursive: true });
  await mkdir(src, { recursive: true });
  const pair = await Pair.start(ctx, join(root, 'pair'));
  try {
    const ours: Side[] = [];
    const theirs: Side[] = [];
    for (let i = 0; i < runs; i++) {
      const name = `one-${String(i).padStart(2, '0')}.bin`;
      const data = randomBytes(1024);
      await writeFile(join(stage, name), data);
      await writeFile(join(src, name), data);
      // A 1 KiB file: nothing worth warming pages for (page-warm.ts), and 40 warmed steps would take minutes.
      ours.push(await measureLeftsync(pair, () => rename(join(stage, name), join(pair.dirA, name)), untilDone(pair.b, (p) => p === name, 1), 0));
      const rsync = await rsyncTo(ctx, join(src, name), 'latency', [], 0);
      if (rsync) theirs.push(rsync);
    }
    const combine = (sides: Side[]): Side | null =>
      sides.length === 0 ? null : {
        seconds: median(sides.map((s) => s.seconds)),
        wireBytes: sides.reduce((sum, s) => sum + s.wireBytes, 0) / sides.length,
        statsBytes: sides[0]!.statsBytes === undefined ? undefined : sides.reduce((sum, s) => sum + (s.statsBytes ?? 0), 0) / sides.length,
        procs: sides[0]!.procs.map((p, i) => ({
          name: p.name,
          peakRss: Math.max(...sides.map((s) => s.procs[i]!.peakRss)),
          cpuSeconds: sides.reduce((sum, s) => sum + s.procs[i]!.cpuSeconds, 0) / sides.length,
        })),
      };
    const r = row('latency', `latency of one 1 KiB file (${runs} runs)`, combine(ours), combine(theirs));
    const oursMax = Math.max(...ours.map((s) => s.seconds));
    const theirsMax = theirs.length > 0 ? Math.max(...theirs.map((s) => s.seconds)) : NaN;
    r.leftsyncText = `median ${(r.leftsync!.seconds * 1000).toFixed(0)} ms, max ${(oursMax * 1000).toFixed(0)} ms`;
    if (r.rsync) r.rsyncText = `median ${(r.rsync.seconds * 1000).toFixed(0)} ms, max ${(theirsMax * 1000).toFixed(0)} ms`;
    r.figures = { leftsyncMedianSeconds: r.leftsync!.seconds, leftsyncMaxSeconds: oursMax, rsyncMedianSeconds: r.rsync?.seconds ?? NaN, rsyncMaxSeconds: theirsMax };
    r.notes.push('times are medians; wire bytes and CPU are per file (mean), RSS the peak over all runs');
    r.goals.push(goal('median <=150 ms', met(r.leftsync!.seconds, (s) => s <= 0.15)), rssGoal(r.leftsync));
    return [r];
  } finally {
    await pair.stop();
  }
}

/**
 * A synced tree `from` is renamed to `to` on A; until B has `to` complete and no
 * `from`. rsync: the same rename in its source, then `rsync -a --delete` of the
 * parent (rsync has no rename detection; that is the comparison a user meets).
 */
async function renamed(ctx: Context, group: string, files: Array<[string, number]>, from: string, to: string, complete: (dirB: string) => Promise<boolean>): Promise<{ leftsync: Side; rsync: Side | null; settledWire: number }> {
  const root = join(ctx.work, group);
  const stage = join(root, 'stage');
  const src = join(root, 'src');
  const tree = await writeTree(join(stage, 'tree'), files);
  await cp(join(stage, 'tree'), src, { recursive: true });
  const pair = await Pair.start(ctx, join(root, 'pair'));
  try {
    await rename(join(stage, 'tree', from), join(pair.dirA, from));
    await untilDone(pair.b, (p) => p === from || p.startsWith(`${from}/`), files.length)(0);
    await settle([pair.a, pair.b], 1000);
    if (ctx.daemon) await rsyncTo(ctx, `${src}/`, group, ['--delete'], 0);
    const outer = new TcpTally(pair.ports);
    await outer.begin();
    const leftsync = await measureLeftsync(
      pair,
      () => rename(join(pair.dirA, from), join(pair.dirA, to)),
      untilTrue(async () => !(await exists(join(pair.dirB, from))) && (await complete(pair.dirB)), `B to have ${to} and not ${from}`),
    );
    await settle([pair.a, pair.b], 1000);
    await outer.end();
    const moved = new Map([...tree.hashes].map(([rel, hash]) => [to + rel.slice(from.length), hash]));
    await checkTree(pair.dirB, { hashes: moved }, `leftsync ${group}`);
    await rename(join(src, from), join(src, to));
    const rsync = await rsyncTo(ctx, `${src}/`, group, ['--delete']);
    if (rsync && ctx.daemon) await checkTree(join(ctx.daemon.modulePath, group), { hashes: moved }, `rsync ${group}`);
    return { leftsync, rsync, settledWire: outer.total() };
  } finally {
    await pair.stop();
  }
}

/** A synced 200 MiB file renamed. */
export async function renameFile(ctx: Context): Promise<RowResult[]> {
  const size = ctx.scale.midMib * MiB;
  const { leftsync, rsync, settledWire } = await renamed(ctx, 'rename', [['big.bin', size]], 'big.bin', 'big-renamed.bin', async (dirB) => {
    const s = await stat(join(dirB, 'big-renamed.bin')).catch(() => null);
    return s !== null && s.size === size;
  });
  const r = row('rename', `rename of a synced ${ctx.scale.midMib} MiB file`, { ...leftsync, wireBytes: settledWire }, rsync);
  r.figures = { wireBytesAtArrival: leftsync.wireBytes, wireBytesAfterSettle: settledWire };
  r.notes.push(`leftsync wire: until both were quiet for 1 s after B had the new name (${leftsync.wireBytes} B when it had it)`);
  r.goals.push(goal('<0.5 s', met(leftsync.seconds, (s) => s < 0.5)), goal('<100 KB wire', met(settledWire, (b) => b < 100e3)), rssGoal(leftsync));
  return [r];
}

/** A synced folder of 1,000 files renamed. */
export async function renameFolder(ctx: Context): Promise<RowResult[]> {
  const count = Math.max(1, Math.round(1000 * ctx.scale.files));
  const files: Array<[string, number]> = [];
  for (let i = 0; i < count; i++) files.push([`folder/f${String(i).padStart(4, '0')}.bin`, 4096]);
  const { leftsync, rsync, settledWire } = await renamed(ctx, 'rename-dir', files, 'folder', 'folder-renamed', async (dirB) => (await countFiles(join(dirB, 'folder-renamed'))) === count);
  const r = row('rename-dir', `rename of a folder of ${count.toLocaleString('en')} files of 4 KiB`, { ...leftsync, wireBytes: settledWire }, rsync);
  r.figures = { wireBytesAtArrival: leftsync.wireBytes, wireBytesAfterSettle: settledWire };
  r.notes.push(`leftsync wire: until both were quiet for 1 s after B had the new folder (${leftsync.wireBytes} B when it had it)`);
  r.goals.push(goal('<1 s', met(leftsync.seconds, (s) => s < 1)), rssGoal(leftsync));
  return [r];
}
