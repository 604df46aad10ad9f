/**
 * npm run bench — leftsync against rsync, side by side, on loopback. Rows (short
 * names for --only; "large" and "small" pick the two groups):
 *   large (issue 9)
 *     cold        a random 500 MiB file appears on A
 *     edit        100 B inserted at the middle + 1 MiB overwritten at a quarter of it
 *     nine        9 B overwritten at offset 0 of a 500 MiB file of 1 KiB random then zeros
 *     sparse      a 6 GiB sparse file (1 MiB data): cold (setup row), then 1 MiB overwritten
 *     resume      the receiver SIGKILLed at 50 % of a cold 500 MiB file, restarted: % sent again
 *     tls         the cold file over TLS and over --no-tls in turn: what TLS costs
 *     bwlimit     a 24 MiB random file over a pair capped at --bwlimit 5M: the rate against the cap
 *   small (issue 10)
 *     many        10,000 files of 4 KiB in 100 folders appear at once
 *     mixed       50 files of 1 KB-20 MB plus one of 200 MiB appear at once
 *     latency     one 1 KiB file, 20 times: median and max
 *     rename      a synced 200 MiB file renamed
 *     rename-dir  a synced folder of 1,000 files renamed
 *     index       a process starting over 100,000 unchanged files: time to scan.done, peak RSS
 *     announce    a raw peer announcing 500,000 entries: the receiver's peak RSS
 *
 * leftsync is timed from the moment the new content is renamed into A's share
 * until B has it (B's transfer.done for every path, or for renames B's folder as
 * polled every 10 ms); what arrived is hash-checked afterwards, untimed. rsync is
 * `rsync -a --no-whole-file --stats SRC rsync://127.0.0.1:PORT/mod/ROW/` (delta
 * mode, as over a network; --delete for renames, --sparse for the sparse file),
 * timed from spawn to exit. Wire bytes: both directions, the kernel's TCP counters
 * of each tool's connections (`ss -ti`; for rsync polled every 20 ms, beside its
 * --stats). Peak RSS: VmHWM of each process, reset at the start of each step.
 * CPU: per process (leftsync A and B; rsync client and daemon side).
 * Every pair of leftsync processes is fresh per row; every process is stopped
 * by PID and the work folder removed (unless --keep). Before each row the bench
 * waits until files can be created at full speed (inode-settle.ts), and folders
 * of many files are removed only at the end, so that no row is timed against
 * the kernel's cost of reusing inodes freed moments before. Before each timed
 * step of either tool it writes and removes a scratch file of twice the large
 * file's size (page-warm.ts), so that no step's writes wait for the VM's host
 * to back memory it took back, and no tool gets pages the other just freed.
 *
 * Options: --only a,b,... | large | small    --out FILE (JSON)    --keep
 *   --mib N (large file, 500)  --mid-mib N (the 200 MiB file)  --sparse-gib G (6)
 *   --scale F (multiplies file counts, 1)  --quick (= --mib 16 --mid-mib 8 --sparse-gib 0.25 --scale 0.02)
 *   --port-base N (ports N..N+2 instead of 25010..25012)
 * Env: BENCH_LEFTSYNC_FLAGS (extra leftsync flags, e.g. --no-tls), BENCH_NODE_FLAGS.
 */
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { untilCreatesAreFast } from './inode-settle.js';
import { removeTree, type Context, type RowResult, type Scale } from './pair.js';
import { json, machineLine, markdownTable, notes } from './report.js';
import { announce, bigIndex } from './rows-index.js';
import { latency, manyFiles, mixedFiles, renameFile, renameFolder } from './rows-files.js';
import { bwlimit, coldAndEdit, nineBytes, resume, sparse, tlsCost } from './rows-large.js';
import { stopAll } from './processes.js';
import { LEFTSYNC_FLAGS, RsyncDaemon, haveRsync } from './sync-rig.js';

interface Runner {
  /** Row names this runner produces (what --only selects it by). */
  rows: string[];
  /** Its folder under the work dir. */
  folder: string;
  /** Its folder holds thousands of files: removed at the end of the run, not after the row (see inode-settle.ts). */
  manyFiles?: boolean;
  run(ctx: Context, want: (name: string) => boolean): Promise<RowResult[]>;
}

const RUNNERS: Runner[] = [
  { rows: ['cold', 'edit'], folder: 'cold', run: coldAndEdit },
  { rows: ['nine'], folder: 'nine', run: nineBytes },
  { rows: ['sparse'], folder: 'sparse', run: sparse },
  { rows: ['resume'], folder: 'resume', run: resume },
  { rows: ['tls'], folder: 'tls', run: tlsCost },
  { rows: ['bwlimit'], folder: 'bwlimit', run: bwlimit },
  { rows: ['many'], folder: 'many', run: manyFiles, manyFiles: true },
  { rows: ['mixed'], folder: 'mixed', run: mixedFiles, manyFiles: true },
  { rows: ['latency'], folder: 'latency', run: latency, manyFiles: true },
  { rows: ['rename'], folder: 'rename', run: renameFile },
  { rows: ['rename-dir'], folder: 'rename-dir', run: renameFolder, manyFiles: true },
  { rows: ['index'], folder: 'index', run: bigIndex, manyFiles: true },
  { rows: ['announce'], folder: 'announce', run: announce, manyFiles: true },
];
const GROUPS: Record<string, string[]> = {
  large: ['cold', 'edit', 'nine', 'sparse', 'resume', 'tls', 'bwlimit'],
  small: ['many', 'mixed', 'latency', 'rename', 'rename-dir', 'index', 'announce'],
};
const ALL_ROWS = RUNNERS.flatMap((r) => r.rows);

interface Args {
  scale: Scale;
  keep: boolean;
  only: Set<string>;
  out: string | null;
  portBase: number;
}

function parseArgs(argv: string[]): Args {
  const scale: Scale = { mib: 500, midMib: 200, sparseGib: 6, files: 1 };
  const args: Args = { scale, keep: false, only: new Set(ALL_ROWS), out: null, portBase: 25010 };
  const positive = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} takes a positive number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--mib') scale.mib = Math.round(positive(flag, argv[++i]));
    else if (flag === '--mid-mib') scale.midMib = Math.round(positive(flag, argv[++i]));
    else if (flag === '--sparse-gib') scale.sparseGib = positive(flag, argv[++i]);
    else if (flag === '--scale') scale.files = positive(flag, argv[++i]);
    else if (flag === '--quick') Object.assign(scale, { mib: 16, midMib: 8, sparseGib: 0.25, files: 0.02 });
    else if (flag === '--keep') args.keep = true;
    else if (flag === '--out') args.out = argv[++i] ?? null;
    else if (flag === '--only') {
      const names = (argv[++i] ?? '').split(',').filter((n) => n !== '').flatMap((n) => GROUPS[n] ?? [n]);
      const unknown = names.filter((n) => !ALL_ROWS.includes(n));
      if (names.length === 0 || unknown.length > 0) throw new Error(`--only takes rows from ${ALL_ROWS.join(',')} or large,small; unknown: ${unknown.join(',')}`);
      args.only = new Set(names);
    } else if (flag === '--port-base') {
      const base = Number(argv[++i]);
      if (!Number.isInteger(base) || base < 1024 || base > 65533) throw new Error('--port-base takes a port number');
      args.portBase = base;
    } else throw new Error(`unknown option ${flag}`);
  }
  if (scale.mib < 2 || scale.midMib < 1) throw new Error('--mib must be at least 2, --mid-mib at least 1');
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const work = await mkdtemp(join(tmpdir(), 'leftsync-bench-'));
  // Ctrl-C: stop what was started and remove the work folder, as a finished run does.
  process.once('SIGINT', () => {
    console.log('\ninterrupted: stopping every process and removing the work folder');
    void stopAll()
      .then(() => (args.keep ? undefined : removeTree(work)))
      .finally(() => process.exit(130));
  });
  const rsyncAvailable = haveRsync();
  if (!rsyncAvailable) console.log('rsync is not installed: only leftsync is measured. Install it with `apt-get install rsync` to compare.');
  const ctx: Context = { work, scale: args.scale, portA: args.portBase, portB: args.portBase + 1, daemon: null };
  console.log(`work dir ${work}; scale ${JSON.stringify(args.scale)}; leftsync ${ctx.portA} <-> ${ctx.portB}; rsync daemon ${args.portBase + 2}`);
  if (LEFTSYNC_FLAGS.length > 0) console.log(`extra leftsync flags (BENCH_LEFTSYNC_FLAGS): ${LEFTSYNC_FLAGS.join(' ')}`);
  const rows: RowResult[] = [];
  try {
    if (rsyncAvailable) ctx.daemon = await RsyncDaemon.start(work, join(work, 'rsync-dst'), args.portBase + 2);
    for (const runner of RUNNERS) {
      if (!runner.rows.some((name) => args.only.has(name))) continue;
      process.stdout.write(`${runner.rows.join('+')}... `);
      const inModule = new Set(ctx.daemon ? await readdir(ctx.daemon.modulePath) : []);
      const waited = await untilCreatesAreFast(join(work, 'settle'), (line) => process.stdout.write(line));
      const started = Date.now();
      try {
        const produced = await runner.run(ctx, (name) => args.only.has(name));
        if (waited !== null) for (const r of produced) r.notes.push(waited);
        rows.push(...produced);
        console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        console.log(`FAILED: ${message}`);
        for (const name of runner.rows.filter((n) => args.only.has(n))) {
          rows.push({ name, title: name, leftsync: null, rsync: null, figures: {}, goals: [], notes: [], error: message });
        }
      }
      if (!args.keep && !runner.manyFiles) {
        await removeTree(join(work, runner.folder));
        // rsync's copies of this row only: those of earlier rows of many files stay until the end.
        if (ctx.daemon) for (const name of await readdir(ctx.daemon.modulePath)) if (!inModule.has(name)) await removeTree(join(ctx.daemon.modulePath, name));
      }
    }
  } finally {
    await stopAll();
    if (!args.keep) await removeTree(work);
  }

  const table = markdownTable(rows);
  console.log(`\n${table}\n`);
  console.log(`Machine: ${machineLine()}`);
  for (const line of notes(rows)) console.log(line);
  console.log('Ratios are leftsync / rsync (below 1: leftsync is faster or sends less). Wire bytes: both directions, kernel TCP counters.');
  console.log('Peak RSS (VmHWM) and CPU per process: leftsync A (sender) / B (receiver); rsync client (cl) / daemon side (dm).');
  if (args.out !== null) {
    await writeFile(args.out, json(rows, { ...args, only: [...args.only], leftsyncFlags: LEFTSYNC_FLAGS }, table));
    console.log(`JSON written to ${args.out}`);
  }
  if (rows.some((r) => r.error !== undefined)) process.exitCode = 1;
}

let finished = false;
// A wait that nothing can resolve any more would otherwise end the run silently.
process.once('beforeExit', () => {
  if (!finished) {
    console.error('bench: stopped with a step still waiting (a bug in the bench); the rows above are incomplete');
    process.exitCode = 1;
  }
});

main().then(() => (finished = true)).catch(async (err: unknown) => {
  finished = true;
  console.error(err instanceof Error ? err.stack ?? err.message : String(err));
  await stopAll();
  process.exitCode = 1;
});
