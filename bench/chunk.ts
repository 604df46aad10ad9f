/**
 * npm run bench:chunk — the chunking engines side by side:
 *   speed     MiB/s on 256 MiB of random data, boundaries only and chunk + SHA-256,
 *             with CPU time / wall time (1.00 = one core)
 *   memory    peak RSS of a child process signing a 500 MiB file from disk
 *   spread    chunk count and size distribution on the 256 MiB
 *   resync    bytes to send (raw and LZ4) for every fixture edit
 * Figures, not assertions: machines are noisy. The default engine is the
 * fastest one with the same resynchronisation.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { ENGINES, chunkerParams } from '../src/chunker/params.js';
import { READ_BUFFER, signFile } from '../src/cli/sign-file.js';
import { signBuffer, signStream } from '../src/chunker/sign.js';
import { type EngineId, type FileSignature } from '../src/chunker/types.js';
import { createBoundaryScanner } from '../src/chunker/engines.js';
import { splitmix32, fillRandom } from '../src/chunker/prng.js';
import { computeGolden, type Golden } from '../fixtures/golden.js';

const MiB = 1 << 20;
const SPEED_MIB = 256;
const RSS_MIB = 500;
const SLICE = MiB;

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  return [line(cells[0]!), '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|', ...cells.slice(1).map(line)].join('\n');
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number; cpuSeconds: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const value = await fn();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { value, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

async function boundariesOnly(data: Buffer, engine: EngineId): Promise<number> {
  const scanner = await createBoundaryScanner(chunkerParams(engine));
  let count = 0;
  for (let from = 0; from < data.length; from += SLICE) count += scanner.push(data.subarray(from, from + SLICE)).length;
  return count;
}

function spread(sig: FileSignature): (string | number)[] {
  const lengths = sig.chunks.slice(0, -1).map((c) => c.length).sort((a, b) => a - b);
  const pick = (q: number) => lengths[Math.min(lengths.length - 1, Math.floor(q * lengths.length))]!;
  const mean = lengths.reduce((s, l) => s + l, 0) / lengths.length;
  const sd = Math.sqrt(lengths.reduce((s, l) => s + (l - mean) ** 2, 0) / lengths.length);
  const k = (n: number) => `${(n / 1024).toFixed(1)}K`;
  return [sig.chunks.length, k(lengths[0]!), k(pick(0.1)), k(pick(0.5)), k(mean), k(pick(0.9)), k(lengths[lengths.length - 1]!), k(sd)];
}

/**
 * Peak RSS of this process in KiB. On Linux, getrusage's maxRSS survives
 * fork+exec, so a child started by a big parent reports the parent's peak;
 * VmHWM in /proc/self/status belongs to this process image only.
 */
function peakRssKiB(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS;
}

/** Child mode: sign one file and report peak RSS. */
async function rssChild(path: string, engine: EngineId, reader: Reader): Promise<void> {
  const params = chunkerParams(engine);
  const sig =
    reader === 'signFile'
      ? await signFile(path, params)
      : await signStream(createReadStream(path, { highWaterMark: READ_BUFFER }), params);
  const out = { chunks: sig.chunks.length, maxRssKiB: peakRssKiB(), ruMaxRssKiB: process.resourceUsage().maxRSS };
  process.stdout.write(JSON.stringify(out) + '\n');
}

async function writeRandomFile(path: string, mib: number): Promise<void> {
  const out = createWriteStream(path);
  const next = splitmix32(7);
  for (let i = 0; i < mib; i++) {
    if (!out.write(fillRandom(Buffer.alloc(MiB), next))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** signFile reads into one reused buffer; createReadStream allocates per read. */
type Reader = 'signFile' | 'createReadStream';
const READERS: Reader[] = ['signFile', 'createReadStream'];

function measureRss(path: string, engine: EngineId, reader: Reader): Promise<{ chunks: number; maxRssKiB: number; ruMaxRssKiB: number; seconds: number }> {
  const self = fileURLToPath(import.meta.url);
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [self, '--rss-child', path, engine, reader], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`rss child exited with ${code}`));
      resolve({ ...JSON.parse(out), seconds: (Date.now() - t0) / 1000 });
    });
  });
}

async function measureMemory(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'leftsync-bench-'));
  try {
    const path = join(dir, 'big.bin');
    await writeRandomFile(path, RSS_MIB);
    const rows: (string | number)[][] = [];
    for (const [engine, reader] of ENGINES.flatMap((e) => READERS.map((r) => [e, r] as const))) {
      const r = await measureRss(path, engine, reader);
      rows.push([engine, reader, (r.maxRssKiB / 1024).toFixed(1), (r.ruMaxRssKiB / 1024).toFixed(1), r.chunks, r.seconds.toFixed(2)]);
    }
    process.stdout.write(`Memory: a child process signs a ${RSS_MIB} MiB file from disk\n`);
    process.stdout.write(table(['engine', 'reader (1 MiB reads)', 'peak RSS MiB (VmHWM)', 'maxRSS MiB (getrusage)', 'chunks', 'wall s'], rows) + '\n\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function measureSpeed(): Promise<void> {
  const data = fillRandom(Buffer.alloc(SPEED_MIB * MiB), splitmix32(42)) as Buffer;
  const speedRows: (string | number)[][] = [];
  const spreadRows: (string | number)[][] = [];
  for (const engine of ENGINES) {
    const reps = engine === 'rabin' ? 1 : 3;
    let best = { seconds: Infinity, cpuSeconds: Infinity };
    let bestScan = { seconds: Infinity, cpuSeconds: Infinity };
    let sig: FileSignature | null = null;
    for (let r = 0; r < reps; r++) {
      const scan = await timed(() => boundariesOnly(data, engine));
      if (scan.cpuSeconds < bestScan.cpuSeconds) bestScan = scan;
      const run = await timed(() => signBuffer(data, chunkerParams(engine), SLICE));
      if (run.cpuSeconds < best.cpuSeconds) best = run;
      sig = run.value;
    }
    const rate = (s: number) => (SPEED_MIB / s).toFixed(0);
    speedRows.push([engine, rate(bestScan.cpuSeconds), rate(best.cpuSeconds), rate(best.seconds)]);
    spreadRows.push([engine, ...spread(sig!)]);
  }
  process.stdout.write(`Speed on ${SPEED_MIB} MiB random, fed in 1 MiB slices (best of 3 for fastcdc, 1 run for rabin)\n`);
  process.stdout.write('MiB per CPU-second is the one-core speed; wall MiB/s suffers when other work shares the cores.\n');
  process.stdout.write(table(['engine', 'boundaries MiB/cpu-s', 'chunk+sha256 MiB/cpu-s', 'chunk+sha256 MiB/s wall'], speedRows) + '\n\n');
  process.stdout.write(`Chunk sizes on ${SPEED_MIB} MiB random, last chunk excluded (params: min 16K, avg 64K, max 256K)\n`);
  process.stdout.write(table(['engine', 'chunks', 'min', 'p10', 'median', 'mean', 'p90', 'max', 'stddev'], spreadRows) + '\n\n');
}

async function measureResync(): Promise<void> {
  const goldens: Golden[] = [];
  for (const engine of ENGINES) goldens.push(await computeGolden(engine));
  const editRows = goldens[0]!.edits.map((e, i) => [
    e.name,
    e.newSize,
    ...goldens.flatMap((g) => [g.edits[i]!.chunksNew, g.edits[i]!.bytesMissing, g.edits[i]!.bytesLz4]),
  ]);
  process.stdout.write('Bytes to send per fixture edit (fixtures/cases.ts)\n');
  process.stdout.write(
    table(['edit', 'new size', ...ENGINES.flatMap((e) => [`${e} chunks`, `${e} raw`, `${e} lz4`])], editRows) + '\n',
  );
}

async function main(): Promise<void> {
  process.stdout.write(`leftsync bench:chunk: node ${process.version}\n\n`);
  // Memory first, while this parent process is still small.
  await measureMemory();
  await measureSpeed();
  await measureResync();
}

if (process.argv[2] === '--rss-child') await rssChild(process.argv[3]!, process.argv[4] as EngineId, process.argv[5] as Reader);
else await main();
