/**
 * What every row of `npm run bench` shares: the run's context (scale, ports,
 * rsync daemon), a fresh pair of linked leftsync processes per row, one timed
 * leftsync step, one timed rsync run, and the files the rows are made of.
 */
import { randomFillSync } from 'node:crypto';
import { mkdir, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  LeftsyncNode,
  RsyncDaemon,
  runRsync,
  sha256File,
  waitUntil,
  type LogEvent,
  type ProcFigures,
  type RsyncRun,
} from './sync-rig.js';
import { TcpTally } from './measure.js';
import { warmBytesFor, warmFreePages } from './page-warm.js';
import { isLeftsyncOwn } from '../test/helpers/tree.js';

export const MiB = 1 << 20;
export const SECRET = 'leftsync-bench-secret';
/** Generous: a transfer that takes this long is broken, not slow. */
export const TRANSFER_TIMEOUT_MS = 10 * 60_000;

export interface Scale {
  /** The large file of the cold, edit, 9-byte and resume rows, MiB (500). */
  mib: number;
  /** The 200 MiB file of the mixed and rename rows, MiB. */
  midMib: number;
  /** The sparse file, GiB (6). */
  sparseGib: number;
  /** Multiplies file counts: 10,000 small files, 1,000 renamed, 100,000 indexed, 500,000 announced. */
  files: number;
}

export interface Context {
  work: string;
  scale: Scale;
  portA: number;
  portB: number;
  daemon: RsyncDaemon | null;
}

/** Everything a row reports; the table and the JSON are made from these. */
export interface RowResult {
  name: string;
  title: string;
  leftsync: Side | null;
  rsync: Side | null;
  /** Row-specific figures (latency median/max, % sent again, ...), also in the JSON. */
  figures: Record<string, number>;
  /** What the leftsync column shows when it is not a time (e.g. "median 0.31 s"). */
  leftsyncText?: string;
  rsyncText?: string;
  goals: Goal[];
  notes: string[];
  error?: string;
}

export interface Side {
  seconds: number;
  /** Both directions, kernel TCP counters. */
  wireBytes: number;
  /** rsync only: its --stats totals. */
  statsBytes?: number;
  procs: ProcFigures[];
}

export interface Goal {
  text: string;
  met: boolean | null;
}

export function goal(text: string, met: boolean | null): Goal {
  return { text, met: met === null || Number.isNaN(met) ? null : met };
}

/** Peak RSS <= 100 MB for every leftsync process of the row. */
export function rssGoal(side: Side | null): Goal {
  if (!side) return goal('RSS <=100 MB', null);
  const peaks = side.procs.map((p) => p.peakRss);
  return goal('RSS <=100 MB', peaks.some((p) => !Number.isFinite(p)) ? null : peaks.every((p) => p <= 100e6));
}

export function fromRsync(run: RsyncRun): Side {
  return { seconds: run.seconds, wireBytes: run.wireBytes, statsBytes: run.statsBytes, procs: run.procs };
}

/** Two leftsync processes, A and B, linked on loopback, each with its own share under `root`. */
export class Pair {
  readonly dirA: string;
  readonly dirB: string;
  a!: LeftsyncNode;
  b!: LeftsyncNode;

  private constructor(
    readonly ctx: Context,
    readonly root: string,
    private readonly flags: string[],
  ) {
    this.dirA = join(root, 'A');
    this.dirB = join(root, 'B');
  }

  static async start(ctx: Context, root: string, flags: string[] = []): Promise<Pair> {
    const pair = new Pair(ctx, root, flags);
    await mkdir(pair.dirA, { recursive: true });
    await mkdir(pair.dirB, { recursive: true });
    pair.a = pair.node('A');
    pair.b = pair.node('B');
    try {
      await pair.linked();
      await settle([pair.a, pair.b], 1500);
    } catch (err) {
      await pair.stop();
      throw err;
    }
    return pair;
  }

  /** A (new) process for side `which`, on its port, dialing the other. */
  node(which: 'A' | 'B'): LeftsyncNode {
    const { portA, portB } = this.ctx;
    const [dir, port, peer] = which === 'A' ? [this.dirA, portA, portB] : [this.dirB, portB, portA];
    return new LeftsyncNode(which, { dir, port, peerPorts: [peer], secret: SECRET, flags: this.flags });
  }

  async linked(from = { a: 0, b: 0 }): Promise<void> {
    await this.a.waitFor((e) => e.event === 'peer.connected', 60_000, 'peer.connected', from.a);
    await this.b.waitFor((e) => e.event === 'peer.connected', 60_000, 'peer.connected', from.b);
  }

  get ports(): number[] {
    return [this.ctx.portA, this.ctx.portB];
  }

  async stop(): Promise<void> {
    await Promise.all([this.a?.stop(), this.b?.stop()]);
  }
}

/**
 * One timed leftsync step: `place()` puts the new content into A (a rename, so
 * it appears at once); `arrived()` resolves when B has all of it. Peaks are
 * reset first, so the RSS figures belong to this step alone.
 */
export async function measureLeftsync(
  pair: Pair,
  place: () => Promise<void>,
  arrived: (from: number) => Promise<void>,
  warmBytes = warmBytesFor(pair.ctx.scale.mib),
): Promise<Side> {
  const { a, b } = pair;
  await warmFreePages(pair.ctx.work, warmBytes);
  a.resetPeak();
  b.resetPeak();
  const tally = new TcpTally(pair.ports);
  await tally.begin();
  const cpuA = a.cpuSeconds();
  const cpuB = b.cpuSeconds();
  const from = b.events.length;
  const started = performance.now();
  let seconds: number;
  try {
    await place();
    await arrived(from);
    seconds = (performance.now() - started) / 1000;
  } finally {
    await tally.end();
  }
  return {
    seconds,
    wireBytes: tally.total(),
    procs: [
      { name: 'leftsync A (sender)', peakRss: a.peakRss(), cpuSeconds: a.cpuSeconds() - cpuA },
      { name: 'leftsync B (receiver)', peakRss: b.peakRss(), cpuSeconds: b.cpuSeconds() - cpuB },
    ],
  };
}

/** Resolves once B logged transfer.done for every path `want` accepts, `count` distinct paths in all. */
export function untilDone(b: LeftsyncNode, want: (path: string) => boolean, count: number): (from: number) => Promise<void> {
  return async (from) => {
    const done = new Set<string>();
    let scanned = from;
    await b.waitFor(
      () => {
        for (; scanned < b.events.length; scanned++) {
          const e = b.events[scanned]!;
          if (e.event === 'transfer.done' && want(String(e.path))) done.add(String(e.path));
        }
        return done.size >= count;
      },
      TRANSFER_TIMEOUT_MS,
      `transfer.done for ${count} paths (have ${done.size})`,
      from,
    );
  };
}

/** Resolves once `check()` holds, polled every 10 ms (for what no log event marks, e.g. a rename). */
export function untilTrue(check: () => Promise<boolean>, what: string): () => Promise<void> {
  return () => waitUntil(check, TRANSFER_TIMEOUT_MS, what, 10);
}

/** rsync of `source` into the module folder `dest` (created), or null without a daemon. */
export async function rsyncTo(ctx: Context, source: string, dest: string, flags: string[] = [], warmBytes = warmBytesFor(ctx.scale.mib)): Promise<Side | null> {
  if (!ctx.daemon) return null;
  await mkdir(join(ctx.daemon.modulePath, dest), { recursive: true });
  await warmFreePages(ctx.work, warmBytes);
  return fromRsync(await runRsync(source, ctx.daemon, dest, flags));
}

/** Waits until none of `nodes` has logged anything for `quietMs`. */
export async function settle(nodes: LeftsyncNode[], quietMs = 1000): Promise<void> {
  let counts = nodes.map((n) => n.events.length);
  let since = Date.now();
  await waitUntil(
    () => {
      const now = nodes.map((n) => n.events.length);
      if (now.some((c, i) => c !== counts[i])) {
        counts = now;
        since = Date.now();
      }
      return Date.now() - since >= quietMs;
    },
    120_000,
    'the peers to settle',
  );
}

export async function expectSame(path: string, expected: string, what: string): Promise<void> {
  const actual = await sha256File(path);
  if (actual !== expected) throw new Error(`${what}: ${path} has SHA-256 ${actual}, expected ${expected}`);
}

/** Counts the regular files under `root`, skipping the state folder. */
export async function countFiles(root: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(root, { withFileTypes: true }).catch(() => [])) {
    if (isLeftsyncOwn(entry.name)) continue;
    if (entry.isDirectory()) total += await countFiles(join(root, entry.name));
    else if (entry.isFile()) total++;
  }
  return total;
}

/** Writes `size` bytes from a seeded-free random source (crypto), 1 MiB at a time. */
export async function writeRandomFile(path: string, size: number): Promise<void> {
  const handle = await open(path, 'w');
  const buffer = Buffer.allocUnsafe(MiB);
  try {
    for (let at = 0; at < size; at += MiB) {
      const n = Math.min(MiB, size - at);
      randomFillSync(buffer, 0, n);
      await handle.write(buffer, 0, n, at);
    }
  } finally {
    await handle.close();
  }
}

/** `head` random bytes, then zeros (a hole) up to `size`. */
export async function writeHeadThenZeros(path: string, head: number, size: number): Promise<void> {
  const handle = await open(path, 'w');
  try {
    const data = Buffer.allocUnsafe(head);
    randomFillSync(data);
    await handle.write(data, 0, head, 0);
    await handle.truncate(size);
  } finally {
    await handle.close();
  }
}

export async function overwriteAt(path: string, at: number, data: Buffer): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.write(data, 0, data.length, at);
  } finally {
    await handle.close();
  }
}

export async function removeTree(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

export type { LogEvent };
