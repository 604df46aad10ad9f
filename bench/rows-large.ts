/**
 * The large-file rows of `npm run bench` (issue 9): cold, edit, 9-byte edit,
 * sparse file, SIGKILL + resume. Each group starts its own pair in its own
 * folder, so no row depends on what another left behind.
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { cp, mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import {
  MiB,
  Pair,
  expectSame,
  goal,
  measureLeftsync,
  overwriteAt,
  rssGoal,
  rsyncTo,
  untilDone,
  writeHeadThenZeros,
  writeRandomFile,
  type Context,
  type RowResult,
  type Side,
} from './pair.js';
import { TcpTally, procStatusBytes } from './measure.js';
import { sha256File, waitUntil } from './sync-rig.js';

const BIG = 'big.bin';

function row(name: string, title: string, leftsync: Side | null, rsync: Side | null): RowResult {
  return { name, title, leftsync, rsync, figures: {}, goals: [], notes: [] };
}

function timeRatio(r: RowResult): number {
  return r.leftsync && r.rsync ? r.leftsync.seconds / r.rsync.seconds : NaN;
}

function met(value: number, ok: (v: number) => boolean): boolean | null {
  return Number.isFinite(value) ? ok(value) : null;
}

/** cp that keeps holes (fs.cp may fill them in). */
function sparseCopy(from: string, to: string): void {
  const result = spawnSync('cp', ['--sparse=always', from, to]);
  if (result.status !== 0) throw new Error(`cp ${from} ${to}: ${result.stderr?.toString().trim()}`);
}

/** Where a group stages files: `stage` (renamed into A) and `src` (rsync's source). */
async function folders(ctx: Context, group: string): Promise<{ root: string; stage: string; src: string }> {
  const root = join(ctx.work, group);
  const stage = join(root, 'stage');
  const src = join(root, 'src');
  await mkdir(stage, { recursive: true });
  await mkdir(src, { recursive: true });
  return { root, stage, src };
}

/**
 * Puts a new version into place on both sides' sources: `make(staged)` writes it
 * into the stage; rsync's source gets a copy (renamed in, so it is whole). The
 * returned function renames the staged file into A's share (the timed moment).
 */
async function stageVersion(stage: string, src: string, name: string, make: (staged: string) => Promise<void>, sparse = false): Promise<{ hash: string; place: (dirA: string) => Promise<void> }> {
  const staged = join(stage, name);
  await make(staged);
  const hash = await sha256File(staged);
  const tmp = join(src, `.${name}.tmp`);
  if (sparse) sparseCopy(staged, tmp);
  else await cp(staged, tmp);
  await rename(tmp, join(src, name));
  return { hash, place: (dirA) => rename(staged, join(dirA, name)) };
}

/** Copies `from` to `to` with 100 random bytes inserted at the middle and 1 MiB overwritten at a quarter. */
async function insertAndOverwrite(from: string, to: string, size: number): Promise<void> {
  const insertAt = Math.floor(size / 2);
  const input = await open(from, 'r');
  const output = await open(to, 'w');
  const buffer = Buffer.allocUnsafe(4 * MiB);
  try {
    let readAt = 0;
    let writeAt = 0;
    const copy = async (until: number): Promise<void> => {
      while (readAt < until) {
        const { bytesRead } = await input.read(buffer, 0, Math.min(buffer.length, until - readAt), readAt);
        if (bytesRead === 0) return;
        await output.write(buffer, 0, bytesRead, writeAt);
        readAt += bytesRead;
        writeAt += bytesRead;
      }
    };
    await copy(insertAt);
    const insert = randomBytes(100);
    await output.write(insert, 0, insert.length, writeAt);
    writeAt += insert.length;
    await copy(Number.MAX_SAFE_INTEGER);
    const overwrite = randomBytes(Math.min(MiB, Math.floor(size / 8)));
    await output.write(overwrite, 0, overwrite.length, Math.floor(size / 4));
  } finally {
    await input.close();
    await output.close();
  }
}

/** Times one version of `name` reaching B (leftsync) and the rsync module folder `dest`, both checked by hash. */
async function syncVersion(
  ctx: Context,
  pair: Pair,
  src: string,
  dest: string,
  name: string,
  version: { hash: string; place: (dirA: string) => Promise<void> },
  rsyncFlags: string[] = [],
): Promise<{ leftsync: Side; rsync: Side | null }> {
  const leftsync = await measureLeftsync(pair, () => version.place(pair.dirA), untilDone(pair.b, (p) => p === name, 1));
  await expectSame(join(pair.dirB, name), version.hash, `leftsync ${dest}`);
  const rsync = await rsyncTo(ctx, join(src, name), dest, rsyncFlags);
  if (rsync && ctx.daemon) await expectSame(join(ctx.daemon.modulePath, dest, name), version.hash, `rsync ${dest}`);
  return { leftsync, rsync };
}

/** cold: a random file appears on A; edit: 100 B inserted + 1 MiB overwritten in it. */
export async function coldAndEdit(ctx: Context, want: (name: string) => boolean): Promise<RowResult[]> {
  const { stage, src, root } = await folders(ctx, 'cold');
  const size = ctx.scale.mib * MiB;
  const pair = await Pair.start(ctx, join(root, 'pair'));
  const rows: RowResult[] = [];
  try {
    const cold = await syncVersion(ctx, pair, src, 'cold', BIG, await stageVersion(stage, src, BIG, (f) => writeRandomFile(f, size)));
    const coldRow = row('cold', `${ctx.scale.mib} MiB random file appears`, cold.leftsync, cold.rsync);
    coldRow.goals.push(goal('time <=1.0x rsync', met(timeRatio(coldRow), (r) => r <= 1.0)), rssGoal(cold.leftsync));
    if (want('cold')) rows.push(coldRow);
    if (!want('edit')) return rows;
    const version = await stageVersion(stage, src, BIG, (f) => insertAndOverwrite(join(pair.dirB, BIG), f, size));
    const edit = await syncVersion(ctx, pair, src, 'cold', BIG, version);
    const editRow = row('edit', `100 B insert + 1 MiB overwrite in it`, edit.leftsync, edit.rsync);
    const wireRatio = edit.rsync ? edit.leftsync.wireBytes / edit.rsync.wireBytes : NaN;
    editRow.goals.push(
      goal('time <=1.0x rsync', met(timeRatio(editRow), (r) => r <= 1.0)),
      goal('wire <= rsync', met(wireRatio, (r) => r <= 1.0)),
      rssGoal(edit.leftsync),
    );
    rows.push(editRow);
    return rows;
  } finally {
    await pair.stop();
  }
}

/** 9 bytes overwritten at offset 0 of a file of 1 KiB random then zeros. */
export async function nineBytes(ctx: Context): Promise<RowResult[]> {
  const { stage, src, root } = await folders(ctx, 'nine');
  const size = ctx.scale.mib * MiB;
  const name = 'head-zeros.bin';
  const pair = await Pair.start(ctx, join(root, 'pair'));
  try {
    const base = await stageVersion(stage, src, name, (f) => writeHeadThenZeros(f, 1024, size), true);
    const setup = await syncVersion(ctx, pair, src, 'nine', name, base);
    const version = await stageVersion(stage, src, name, async (f) => {
      sparseCopy(join(pair.dirB, name), f);
      await overwriteAt(f, 0, randomBytes(9));
    }, true);
    const nine = await syncVersion(ctx, pair, src, 'nine', name, version);
    const r = row('nine', `9 B at offset 0 of ${ctx.scale.mib} MiB (1 KiB random + zeros)`, nine.leftsync, nine.rsync);
    r.figures.setupLeftsyncSeconds = setup.leftsync.seconds;
    r.goals.push(
      goal('<1.0 s', met(nine.leftsync.seconds, (s) => s < 1.0)),
      goal('<20 KB wire', met(nine.leftsync.wireBytes, (b) => b < 20e3)),
      rssGoal(nine.leftsync),
    );
    return [r];
  } finally {
    await pair.stop();
  }
}

/** A sparse file (1 MiB of data, the rest a hole) synced cold, then 1 MiB overwritten in its middle. */
export async function sparse(ctx: Context): Promise<RowResult[]> {
  const { stage, src, root } = await folders(ctx, 'sparse');
  const size = Math.round(ctx.scale.sparseGib * 1024) * MiB;
  const name = 'sparse.bin';
  const flags = ['--sparse'];
  const pair = await Pair.start(ctx, join(root, 'pair'));
  try {
    const base = await stageVersion(stage, src, name, (f) => writeHeadThenZeros(f, MiB, size), true);
    const cold = await syncVersion(ctx, pair, src, 'sparse', name, base, flags);
    const coldRow = row('sparse-cold', `sparse ${ctx.scale.sparseGib} GiB (1 MiB data): cold (setup)`, cold.leftsync, cold.rsync);
    coldRow.goals.push(rssGoal(cold.leftsync));
    const version = await stageVersion(stage, src, name, async (f) => {
      sparseCopy(join(pair.dirA, name), f);
      await overwriteAt(f, Math.floor(size / 2), randomBytes(MiB));
    }, true);
    const edit = await syncVersion(ctx, pair, src, 'sparse', name, version, flags);
    const r = row('sparse', `sparse ${ctx.scale.sparseGib} GiB: 1 MiB overwrite in the middle`, edit.leftsync, edit.rsync);
    r.notes.push('rsync with --sparse --no-whole-file');
    r.goals.push(rssGoal(edit.leftsync));
    return [coldRow, r];
  } finally {
    await pair.stop();
  }
}

/**
 * A random file appears on A; B is SIGKILLed once half the file's size has
 * crossed the link (kernel counters, polled every 20 ms), then restarted. Sent
 * again = every byte on the link, both connections, from the rename to B's
 * transfer.done after the restart, minus the file size, as % of the file.
 */
export async function resume(ctx: Context): Promise<RowResult[]> {
  const { stage, src, root } = await folders(ctx, 'resume');
  const size = ctx.scale.mib * MiB;
  const pair = await Pair.start(ctx, join(root, 'pair'));
  try {
    const version = await stageVersion(stage, src, BIG, (f) => writeRandomFile(f, size));
    const { a } = pair;
    a.resetPeak();
    pair.b.resetPeak();
    const cpuA = a.cpuSeconds();
    const tally = new TcpTally(pair.ports);
    await tally.begin();
    const started = performance.now();
    await version.place(pair.dirA);
    await waitUntil(async () => {
      await tally.sample();
      return tally.total() >= size / 2 || !pair.b.running;
    }, 10 * 60_000, 'half of the file on the wire', 20);
    const killedB = pair.b;
    const killedPeak = procStatusBytes(killedB.pid, 'VmHWM');
    const killedCpu = killedB.cpuSeconds();
    await tally.sample();
    const atKill = tally.total();
    await killedB.stop('SIGKILL');
    const killedAfter = (performance.now() - started) / 1000;
    const restarted = performance.now();
    pair.b = pair.node('B');
    const done = await pair.b.waitFor((e) => e.event === 'transfer.done' && e.path === BIG, 10 * 60_000, `transfer.done ${BIG} after the restart`);
    const seconds = (performance.now() - restarted) / 1000;
    await tally.end();
    await expectSame(join(pair.dirB, BIG), version.hash, 'leftsync resume');
    const total = tally.total();
    const again = (100 * (total - size)) / size;
    const side: Side = {
      seconds,
      wireBytes: total,
      procs: [
        { name: 'leftsync A (sender)', peakRss: a.peakRss(), cpuSeconds: a.cpuSeconds() - cpuA },
        { name: 'leftsync B (killed)', peakRss: killedPeak, cpuSeconds: killedCpu },
        { name: 'leftsync B (restarted)', peakRss: pair.b.peakRss(), cpuSeconds: pair.b.cpuSeconds() },
      ],
    };
    const r = row('resume', `SIGKILL receiver at 50 % of ${ctx.scale.mib} MiB, restart`, side, null);
    const killedAt = (100 * atKill) / size;
    r.leftsyncText = `killed at ${killedAt.toFixed(0)} %; ${seconds.toFixed(2)} s after restart; ${again.toFixed(1)} % sent again`;
    if (killedAt > 75) r.notes.push(`the kill came late (${killedAt.toFixed(0)} % of the file had crossed): the transfer outran the 20 ms poll; use a larger --mib`);
    r.figures = {
      sentAgainPercent: again,
      wireBytesAtKill: atKill,
      killedAtPercent: (100 * atKill) / size,
      killedAfterSeconds: killedAfter,
      bytesReceivedAfterRestart: Number(done.bytesReceived ?? NaN),
      chunksResumed: Number(done.chunksResumed ?? NaN),
    };
    r.notes.push('time = restart to transfer.done; wire = all bytes on both connections; no rsync counterpart measured');
    r.goals.push(goal('<=5 % sent again', met(again, (p) => p <= 5)), rssGoal(side));
    return [r];
  } finally {
    await pair.stop();
  }
}

/**
 * tls: what TLS costs on the cold file. Pairs with and without --no-tls take the
 * same cold file in turn (TLS, plain, TLS, plain); the figure is the mean of
 * the two pairwise time ratios, so a drift of the machine's speed cancels out.
 */
export async function tlsCost(ctx: Context): Promise<RowResult[]> {
  const { stage, src, root } = await folders(ctx, 'tls');
  const size = ctx.scale.mib * MiB;
  const runs: { tls: boolean; side: Side }[] = [];
  for (const tls of [true, false, true, false]) {
    const pair = await Pair.start(ctx, join(root, `pair-${runs.length}`), tls ? [] : ['--no-tls']);
    try {
      const version = await stageVersion(stage, src, BIG, (f) => writeRandomFile(f, size));
      const side = await measureLeftsync(pair, () => version.place(pair.dirA), untilDone(pair.b, (p) => p === BIG, 1));
      await expectSame(join(pair.dirB, BIG), version.hash, 'leftsync tls');
      runs.push({ tls, side });
    } finally {
      await pair.stop();
    }
  }
  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
  const withTls = runs.filter((r) => r.tls);
  const plain = runs.filter((r) => !r.tls);
  const ratios = withTls.map((r, i) => r.side.seconds / plain[i]!.side.seconds);
  const ratio = mean(ratios);
  const r = row('tls', `cold ${ctx.scale.mib} MiB over TLS; --no-tls took ${plain.map((p) => p.side.seconds.toFixed(2)).join(' / ')} s`, { ...withTls[0]!.side, seconds: mean(withTls.map((w) => w.side.seconds)) }, null);
  r.figures.tlsOverPlain = ratio;
  r.notes.push(`TLS/--no-tls time ${ratios.map((x) => x.toFixed(2)).join(', ')} (pairs); mean ${ratio.toFixed(2)}x`);
  r.goals.push(goal('TLS <=1.15x --no-tls', met(ratio, (x) => x <= 1.15)));
  return [r];
}

/**
 * bwlimit: a random (incompressible) file over a pair capped with --bwlimit: the
 * rate achieved, from the rename into A to B's transfer.done, against the cap.
 */
export async function bwlimit(ctx: Context): Promise<RowResult[]> {
  const { stage, src, root } = await folders(ctx, 'bwlimit');
  const capMiB = 5;
  const size = Math.max(8, Math.min(24, ctx.scale.mib)) * MiB;
  const pair = await Pair.start(ctx, join(root, 'pair'), ['--bwlimit', `${capMiB}M`]);
  try {
    const version = await stageVersion(stage, src, BIG, (f) => writeRandomFile(f, size));
    const side = await measureLeftsync(pair, () => version.place(pair.dirA), untilDone(pair.b, (p) => p === BIG, 1));
    await expectSame(join(pair.dirB, BIG), version.hash, 'leftsync bwlimit');
    const rate = size / side.seconds / MiB;
    const r = row('bwlimit', `${size / MiB} MiB random over --bwlimit ${capMiB}M: ${rate.toFixed(2)} MiB/s`, side, null);
    r.figures.rateOverCap = rate / capMiB;
    r.goals.push(goal('within 10 % of the cap', met(rate / capMiB, (x) => Math.abs(x - 1) <= 0.1)));
    return [r];
  } finally {
    await pair.stop();
  }
}
