/**
 * npm run bench — leftsync against rsync, side by side, on loopback:
 *   a) cold      a large random file appears on A; time until B has it, bytes on the wire
 *   b) edit      100-byte insert in the middle + 1 MiB overwrite elsewhere in that file
 *   c) 9 bytes   9-byte overwrite at offset 0
 *   d) small     1000 files of 1-8 KiB appear at once
 *   e) memory    peak RSS (VmHWM) of each leftsync process during (a)
 * leftsync is timed from the moment the new content is renamed into A's share
 * to B's transfer.done (the file is verified and in place; the bench checks its
 * SHA-256 afterwards, untimed). rsync is `rsync -a --no-whole-file --stats SRC
 * rsync://127.0.0.1:PORT/mod/` (delta mode, as over a network), timed from spawn
 * to exit. Bytes on the wire are both directions: for leftsync the kernel's TCP
 * counters of the link (`ss -ti`), for rsync its --stats totals. Figures, not
 * assertions; the machine is shared and noisy, so read the ratios.
 *
 * Options: --mib N (size of the large file, default 500), --keep (leave the work dir),
 * --only large|small (run a-c and e, or only d), --port-base N (ports N..N+2 instead of 25010..25012).
 */
import { randomBytes, randomFillSync } from 'node:crypto';
import { cp, mkdir, mkdtemp, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LeftsyncNode,
  RsyncDaemon,
  haveRsync,
  runRsync,
  sha256File,
  stopAll,
  tcpBytes,
  tcpDelta,
  waitUntil,
  type LogEvent,
  type RsyncRun,
} from './sync-rig.js';

const MiB = 1 << 20;
/** Ports from the range reserved for this bench; --port-base N moves all three (N, N+1, N+2). */
let PORT_A = 25010;
let PORT_B = 25011;
let PORT_RSYNC = 25012;
const SECRET = 'leftsync-bench-secret';
const SMALL_FILES = 1000;
/** Generous: a transfer that takes this long is broken, not slow. */
const TRANSFER_TIMEOUT_MS = 10 * 60_000;

interface Measured {
  seconds: number;
  wireBytes: number;
  /** True when wireBytes are chunk payload bytes from the logs (no TCP counters available). */
  payloadOnly: boolean;
  cpuSeconds: number;
}

interface Row {
  scenario: string;
  leftsync: Measured;
  rsync: RsyncRun | null;
}

type Only = 'large' | 'small' | null;

function parseArgs(argv: string[]): { mib: number; keep: boolean; only: Only } {
  let mib = 500;
  let keep = false;
  let only: Only = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--mib') mib = Number(argv[++i]);
    else if (argv[i] === '--keep') keep = true;
    else if (argv[i] === '--only') {
      const which = argv[++i];
      if (which !== 'large' && which !== 'small') throw new Error('--only takes large or small');
      only = which;
    } else if (argv[i] === '--port-base') {
      const base = Number(argv[++i]);
      if (!Number.isInteger(base) || base < 1024 || base > 65533) throw new Error('--port-base takes a port number');
      [PORT_A, PORT_B, PORT_RSYNC] = [base, base + 1, base + 2];
    }
  }
  if (!Number.isInteger(mib) || mib < 1) throw new Error('--mib takes a positive integer');
  return { mib, keep, only };
}

async function writeRandomFile(path: string, mib: number): Promise<void> {
  const handle = await open(path, 'w');
  const buffer = Buffer.allocUnsafe(MiB);
  try {
    for (let i = 0; i < mib; i++) {
      randomFillSync(buffer);
      await handle.write(buffer, 0, buffer.length, i * MiB);
    }
  } finally {
    await handle.close();
  }
}

/** Copies `from` to `to` with `insertAt` bytes inserted and `overwrites` applied (offsets in the output). */
async function editedCopy(
  from: string,
  to: string,
  edit: { insertAt?: number; insert?: Buffer; overwrites: Array<{ at: number; data: Buffer }> },
): Promise<void> {
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
    if (edit.insert && edit.insertAt !== undefined) {
      await copy(edit.insertAt);
      await output.write(edit.insert, 0, edit.insert.length, writeAt);
      writeAt += edit.insert.length;
    }
    await copy(Number.MAX_SAFE_INTEGER);
    for (const { at, data } of edit.overwrites) await output.write(data, 0, data.length, at);
  } finally {
    await input.close();
    await output.close();
  }
}

/** Runs one leftsync step: `place()` renames content into A; `arrived` says when B has all of it. */
async function measureLeftsync(
  a: LeftsyncNode,
  b: LeftsyncNode,
  place: () => Promise<void>,
  arrived: (doneSince: LogEvent[]) => boolean,
): Promise<Measured> {
  const bytesBefore = tcpBytes([PORT_A, PORT_B]);
  const cpuBefore = a.cpuSeconds() + b.cpuSeconds();
  const eventsBefore = b.events.length;
  const started = Date.now();
  await place();
  const dones = (): LogEvent[] => b.events.slice(eventsBefore).filter((e) => e.event === 'transfer.done');
  await b.waitFor((e) => e.event === 'transfer.done' && arrived(dones()), TRANSFER_TIMEOUT_MS, 'transfer.done');
  const seconds = (Date.now() - started) / 1000;
  const cpuSeconds = a.cpuSeconds() + b.cpuSeconds() - cpuBefore;
  const bytesAfter = tcpBytes([PORT_A, PORT_B]);
  const payload = dones().reduce((sum, e) => sum + Number(e.bytesReceived ?? 0), 0);
  const payloadOnly = bytesAfter.size === 0;
  return { seconds, wireBytes: payloadOnly ? payload : tcpDelta(bytesBefore, bytesAfter), payloadOnly, cpuSeconds };
}

/** Waits until neither process has logged anything for `quietMs` (index announcements settle). */
async function settle(nodes: LeftsyncNode[], quietMs = 1000): Promise<void> {
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
    60_000,
    'the peers to settle',
  );
}

async function expectSame(path: string, expected: string, what: string): Promise<void> {
  const actual = await sha256File(path);
  if (actual !== expected) throw new Error(`${what}: ${path} has SHA-256 ${actual}, expected ${expected}`);
}

function human(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'n/a';
  if (bytes >= 10 * MiB) return `${(bytes / MiB).toFixed(0)} MiB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(2)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

function ratio(ours: number, theirs: number | undefined): string {
  if (theirs === undefined || !Number.isFinite(theirs) || theirs <= 0) return 'n/a';
  return `${(ours / theirs).toFixed(2)}x`;
}

function table(header: string[], rows: string[][]): string {
  const cells = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(header), rule, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const { mib, keep, only } = parseArgs(process.argv.slice(2));
  const work = await mkdtemp(join(tmpdir(), 'leftsync-bench-'));
  const dirs = { a: join(work, 'A'), b: join(work, 'B'), stage: join(work, 'stage'), src: join(work, 'src'), dst: join(work, 'dst') };
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true });
  const rsyncAvailable = haveRsync();
  if (!rsyncAvailable) {
    console.log('rsync is not installed: only leftsync is measured. Install it with `apt-get install rsync` to compare.');
  }
  console.log(`work dir ${work}; large file ${mib} MiB; leftsync ${PORT_A} <-> ${PORT_B}; rsync daemon ${PORT_RSYNC}`);

  const rows: Row[] = [];
  let peakA = NaN;
  let peakB = NaN;
  try {
    const a = new LeftsyncNode('A', dirs.a, PORT_A, PORT_B, SECRET);
    const b = new LeftsyncNode('B', dirs.b, PORT_B, PORT_A, SECRET);
    const daemon = rsyncAvailable ? await RsyncDaemon.start(work, dirs.dst, PORT_RSYNC) : null;
    await a.waitFor((e) => e.event === 'peer.connected', 30_000, 'peer.connected');
    await b.waitFor((e) => e.event === 'peer.connected', 30_000, 'peer.connected');
    await settle([a, b], 1500);

    if (only !== 'small') {
      // --- a) cold: a large random file ---------------------------------------------
      const big = 'big.bin';
      const staged = join(dirs.stage, big);
      process.stdout.write(`writing ${mib} MiB of random data... `);
      await writeRandomFile(staged, mib);
      await cp(staged, join(dirs.src, big));
      let expected = await sha256File(staged);
      console.log('done');
      const isBig = (dones: LogEvent[]) => dones.some((e) => e.path === big);
      const placeBig = () => rename(staged, join(dirs.a, big));
      const cold = await measureLeftsync(a, b, placeBig, isBig);
      await expectSame(join(dirs.b, big), expected, 'leftsync cold');
      peakA = a.peakRssMiB();
      peakB = b.peakRssMiB();
      const rsyncBig = async (): Promise<RsyncRun | null> => {
        if (!daemon) return null;
        const run = await runRsync(join(dirs.src, big), daemon);
        await expectSame(join(dirs.dst, big), expected, 'rsync');
        return run;
      };
      rows.push({ scenario: `a) cold ${mib} MiB`, leftsync: cold, rsync: await rsyncBig() });
      console.log('a) done');
      await settle([a, b]);

      // --- b) 100-byte insert in the middle + 1 MiB overwrite elsewhere ----------------
      const size = mib * MiB;
      const current = join(dirs.b, big); // identical to A's copy, verified above
      const stageEdit = async (edit: Parameters<typeof editedCopy>[2]): Promise<void> => {
        await editedCopy(current, staged, edit);
        expected = await sha256File(staged);
        await cp(staged, join(dirs.src, `.${big}.tmp`));
        await rename(join(dirs.src, `.${big}.tmp`), join(dirs.src, big));
      };
      await stageEdit({
        insertAt: Math.floor(size / 2),
        insert: randomBytes(100),
        overwrites: [{ at: Math.floor(size / 4), data: randomBytes(Math.min(MiB, Math.floor(size / 8))) }],
      });
      const edit = await measureLeftsync(a, b, placeBig, isBig);
      await expectSame(join(dirs.b, big), expected, 'leftsync edit');
      rows.push({ scenario: 'b) 100 B insert + 1 MiB overwrite', leftsync: edit, rsync: await rsyncBig() });
      console.log('b) done');
      await settle([a, b]);

      // --- c) 9-byte overwrite at offset 0 ----------------------------------------------
      await stageEdit({ overwrites: [{ at: 0, data: randomBytes(9) }] });
      const nine = await measureLeftsync(a, b, placeBig, isBig);
      await expectSame(join(dirs.b, big), expected, 'leftsync 9 bytes');
      rows.push({ scenario: 'c) 9 B overwrite at offset 0', leftsync: nine, rsync: await rsyncBig() });
      console.log('c) done');
      await settle([a, b]);
    }

    if (only !== 'large') {
      // --- d) 1000 small files at once ---------------------------------------------------
      const smallDir = join(dirs.stage, 'small');
      await mkdir(smallDir);
      const smallHashes = new Map<string, string>();
      for (let i = 0; i < SMALL_FILES; i++) {
        const name = `f${String(i).padStart(4, '0')}.bin`;
        await writeFile(join(smallDir, name), randomBytes(1024 + Math.floor(Math.random() * 7 * 1024)));
        smallHashes.set(name, await sha256File(join(smallDir, name)));
    }
    await cp(smallDir, join(dirs.src, 'small'), { recursive: true });
    const allSmall = (dones: LogEvent[]) =>
      new Set(dones.map((e) => String(e.path)).filter((p) => p.startsWith('small/'))).size >= SMALL_FILES;
    const small = await measureLeftsync(a, b, () => rename(smallDir, join(dirs.a, 'small')), allSmall);
    const checkSmall = async (root: string, what: string): Promise<void> => {
      const names = await readdir(root);
      if (names.length !== SMALL_FILES) throw new Error(`${what}: ${names.length} files in ${root}, expected ${SMALL_FILES}`);
      for (const [name, hash] of smallHashes) await expectSame(join(root, name), hash, what);
    };
    await checkSmall(join(dirs.b, 'small'), 'leftsync small files');
    let rsyncSmall: RsyncRun | null = null;
    if (daemon) {
      rsyncSmall = await runRsync(join(dirs.src, 'small'), daemon);
      await checkSmall(join(dirs.dst, 'small'), 'rsync small files');
    }
    rows.push({ scenario: `d) ${SMALL_FILES} files of 1-8 KiB`, leftsync: small, rsync: rsyncSmall });
    console.log('d) done\n');
    }
  } finally {
    await stopAll();
    if (!keep) await rm(work, { recursive: true, force: true });
  }

  const header = ['scenario', 'leftsync', 'rsync', 'time ratio', 'leftsync wire', 'rsync wire', 'wire ratio', 'CPU leftsync', 'CPU rsync'];
  const body = rows.map((r) => [
    r.scenario,
    `${r.leftsync.seconds.toFixed(2)} s`,
    r.rsync ? `${r.rsync.seconds.toFixed(2)} s` : 'n/a',
    ratio(r.leftsync.seconds, r.rsync?.seconds),
    human(r.leftsync.wireBytes) + (r.leftsync.payloadOnly ? '*' : ''),
    r.rsync ? human(r.rsync.wireBytes) : 'n/a',
    ratio(r.leftsync.wireBytes, r.rsync?.wireBytes),
    `${r.leftsync.cpuSeconds.toFixed(2)} s`,
    r.rsync ? `${r.rsync.cpuSeconds.toFixed(2)} s` : 'n/a',
  ]);
  console.log(table(header, body));
  if (only !== 'small') console.log(`\ne) peak RSS (VmHWM) during (a): leftsync A (sender) ${peakA.toFixed(0)} MiB, B (receiver) ${peakB.toFixed(0)} MiB (goal < 100 MiB)`);
  console.log('Ratios are leftsync / rsync (below 1: leftsync is faster or sends less). CPU: both leftsync processes;');
  console.log('rsync client + daemon receiver. Wire bytes: both directions.');
  if (rows.some((r) => r.leftsync.payloadOnly)) console.log('* chunk payload bytes from the logs (ss was not available for TCP counters)');
}

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : String(err));
  await stopAll();
  process.exitCode = 1;
});
