/**
 * The moving parts of `npm run bench`: leftsync processes on loopback, an rsync
 * daemon, and the measurements taken from outside them (JSON log events, TCP
 * byte counters from `ss`, VmHWM and CPU time from /proc). leftsync is a black
 * box here: only its CLI flags, its environment and its log events are used.
 * Everything started here is tracked (processes.ts) and stopped by PID in stopAll().
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TcpTally, descendants, every, procCpuSeconds, procStatusBytes, resetPeakRss } from './measure.js';
import { track } from './processes.js';

/** dist/src/cli/main.js, resolved from this compiled file (dist/bench/). */
export const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
/**
 * What the installed `leftsync` bin runs node with, read from its shebang
 * (`#!/usr/bin/env -S VAR=value... node --flag...`, src/cli/main.ts), so the
 * bench measures what users run: the environment it sets and node's flags.
 */
export function binLaunch(shebang: string): { env: Record<string, string>; nodeFlags: string[] } {
  const words = shebang.replace(/^#!\/usr\/bin\/env -S\s+/, '').split(/\s+/).filter((word) => word !== '');
  const node = words.indexOf('node');
  if (!shebang.startsWith('#!/usr/bin/env -S ') || node < 0) throw new Error(`unexpected shebang: ${shebang}`);
  const env: Record<string, string> = {};
  for (const assignment of words.slice(0, node)) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw new Error(`unexpected shebang word ${assignment}: ${shebang}`);
    env[assignment.slice(0, eq)] = assignment.slice(eq + 1);
  }
  return { env, nodeFlags: words.slice(node + 1) };
}
const BIN = binLaunch(readFileSync(CLI, 'utf8').split('\n', 1)[0]!);
/** Node flags the bench runs leftsync with: the bin's, then BENCH_NODE_FLAGS (a later flag wins). */
export const NODE_FLAGS = [...BIN.nodeFlags, ...splitFlags(process.env.BENCH_NODE_FLAGS)];
/** The environment the bin sets (malloc tuning), over the bench's own. */
export const BIN_ENV = BIN.env;
/**
 * BENCH_LEFTSYNC_FLAGS="--no-tls" adds flags to every leftsync command line, so
 * variants (TLS or not, another engine) are measured by the same script.
 * BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" adds node flags (profiling).
 */
export const LEFTSYNC_FLAGS = splitFlags(process.env.BENCH_LEFTSYNC_FLAGS);
/** BENCH_EVENTS_DIR=/tmp/ev keeps every process's log lines there, NAME-PID.jsonl, each with the bench's clock (seenAt, ms). */
const EVENTS_DIR = process.env.BENCH_EVENTS_DIR ?? null;
// Made up front: a write into a missing folder from a log handler would end the bench without stopping its processes.
if (EVENTS_DIR !== null) mkdirSync(EVENTS_DIR, { recursive: true });

function splitFlags(value: string | undefined): string[] {
  return (value ?? '').split(/\s+/).filter((flag) => flag !== '');
}

export interface LogEvent {
  event: string;
  /** When the bench read the line (ms, performance.now()). */
  seenAt: number;
  [field: string]: unknown;
}

export interface NodeOptions {
  dir: string;
  port: number;
  /** Ports of peers on 127.0.0.1 to dial (--ip); none for a lone process. */
  peerPorts: number[];
  secret: string;
  /** Extra leftsync flags for this process (before BENCH_LEFTSYNC_FLAGS). */
  flags?: string[];
}

/** One leftsync process; its JSON log events are kept in order. */
export class LeftsyncNode {
  readonly events: LogEvent[] = [];
  /** performance.now() at spawn. */
  readonly spawnedAt: number;
  readonly exit: Promise<void>;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<(e: LogEvent) => void>();
  private exited = false;

  constructor(
    readonly name: string,
    readonly options: NodeOptions,
  ) {
    const { dir, port, peerPorts, secret } = options;
    const args = [...NODE_FLAGS, CLI, '--dir', dir, '--port', String(port), '--listen', '127.0.0.1'];
    if (peerPorts.length > 0) args.push('--ip', peerPorts.map((p) => `127.0.0.1:${p}`).join(','));
    args.push(...(options.flags ?? []), ...LEFTSYNC_FLAGS);
    this.spawnedAt = performance.now();
    this.child = spawn(process.execPath, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...BIN_ENV, LEFTSYNC_SECRET: secret, LEFTSYNC_LOG_FORMAT: 'json' },
    });
    this.exit = track(this.child).then(() => {
      this.exited = true;
      for (const waiter of [...this.waiters]) waiter({ event: '(exit)', seenAt: performance.now() });
    });
    let buffered = '';
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (text: string) => {
      buffered += text;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        this.addLine(line);
      }
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return !this.exited;
  }

  /** The exit code once exited (null while running, or when a signal ended it). */
  get exitCode(): number | null {
    return this.child.exitCode;
  }

  /** Resolves with the first event (already seen or later) that matches; rejects on timeout or exit. */
  waitFor(match: (e: LogEvent) => boolean, timeoutMs: number, what: string, from = 0): Promise<LogEvent> {
    const seen = this.events.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const fail = (why: string): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        reject(new Error(`${this.name}: no ${what} ${why}`));
      };
      const timer = setTimeout(() => fail(`within ${timeoutMs} ms`), timeoutMs);
      const waiter = (e: LogEvent): void => {
        if (e.event === '(exit)') return fail('(process exited)');
        if (!match(e)) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(e);
      };
      this.waiters.add(waiter);
      if (this.exited) fail('(process exited)');
    });
  }

  /** Peak resident set since start or the last resetPeak(), bytes (VmHWM). */
  peakRss(): number {
    return procStatusBytes(this.pid, 'VmHWM');
  }

  /** Starts a new peak: VmHWM drops to the current RSS (Linux >= 4.0, /proc/PID/clear_refs). */
  resetPeak(): boolean {
    return resetPeakRss(this.pid);
  }

  /** User + system CPU seconds the process has used so far. */
  cpuSeconds(): number {
    return procCpuSeconds(this.pid, 'self');
  }

  /** Sends `signal` and waits for the exit (SIGKILL after 10 s of SIGTERM). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.exited) return;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    this.child.kill(signal);
    await this.exit;
    clearTimeout(timer);
  }

  private addLine(line: string): void {
    let event: LogEvent;
    try {
      event = { ...(JSON.parse(line) as Record<string, unknown>), seenAt: performance.now() } as LogEvent;
    } catch {
      process.stderr.write(`[${this.name}] ${line}\n`);
      return;
    }
    if (event.level === 'error') process.stderr.write(`[${this.name}] ${line}\n`);
    if (EVENTS_DIR !== null) appendFileSync(join(EVENTS_DIR, `${this.name}-${this.pid}.jsonl`), `${JSON.stringify(event)}\n`);
    this.events.push(event);
    for (const waiter of [...this.waiters]) waiter(event);
  }
}


/** An rsync daemon serving one writable module, "mod", at `path`. */
export class RsyncDaemon {
  private readonly child: ChildProcess;

  private constructor(
    readonly port: number,
    readonly modulePath: string,
    configPath: string,
  ) {
    this.child = spawn('rsync', ['--daemon', '--no-detach', `--config=${configPath}`, `--port=${port}`, '--address=127.0.0.1'], {
      stdio: 'ignore',
    });
    void track(this.child);
  }

  static async start(workDir: string, modulePath: string, port: number): Promise<RsyncDaemon> {
    await mkdir(modulePath, { recursive: true });
    const config = join(workDir, 'rsyncd.conf');
    const uid = process.getuid?.() ?? 0;
    const gid = process.getgid?.() ?? 0;
    writeFileSync(
      config,
      [
        `pid file = ${join(workDir, 'rsyncd.pid')}`,
        'use chroot = no',
        `uid = ${uid}`,
        `gid = ${gid}`,
        `log file = ${join(workDir, 'rsyncd.log')}`,
        '[mod]',
        `path = ${modulePath}`,
        'read only = no',
        '',
      ].join('\n'),
    );
    const daemon = new RsyncDaemon(port, modulePath, config);
    await waitUntil(() => rsyncReachable(port), 5000, 'rsync daemon listening');
    return daemon;
  }

  /** The URL of `sub` (a folder under the module, '' for its root). */
  url(sub = ''): string {
    return `rsync://127.0.0.1:${this.port}/mod/${sub === '' ? '' : `${sub}/`}`;
  }

  get pid(): number {
    return this.child.pid!;
  }
}

function rsyncReachable(port: number): boolean {
  return spawnSync('rsync', [`rsync://127.0.0.1:${port}/`], { stdio: 'ignore' }).status === 0;
}

/** One process (or group of processes) of a tool in one row. */
export interface ProcFigures {
  name: string;
  /** Peak RSS, bytes. */
  peakRss: number;
  cpuSeconds: number;
}

export interface RsyncRun {
  seconds: number;
  /** Both directions, from the kernel's counters of the connection (polled, see TcpTally). */
  wireBytes: number;
  /** "Total bytes sent" + "Total bytes received" of --stats. */
  statsBytes: number;
  /** The client (sender) and the daemon's side (its forked receiver and generator, the largest). */
  procs: ProcFigures[];
}

const TIME = '/usr/bin/time';
const haveTime = existsSync(TIME);

/**
 * `rsync -a --no-whole-file --stats [flags] SRC URL`, timed from spawn to exit.
 * The client's CPU and peak RSS come from /usr/bin/time when installed (exact),
 * else from polling /proc; the daemon side's peak RSS is polled (every 20 ms, all
 * of the daemon's descendants) and its CPU is what the daemon reaped meanwhile.
 */
export async function runRsync(source: string, daemon: RsyncDaemon, dest: string, flags: string[] = []): Promise<RsyncRun> {
  const daemonCpuBefore = procCpuSeconds(daemon.pid, 'children');
  const tally = new TcpTally([daemon.port]);
  await tally.begin();
  let daemonPeak = 0;
  let clientPeak = 0;
  let clientCpu = 0;
  const rsyncArgs = ['-a', '--no-whole-file', '--stats', ...flags, source, daemon.url(dest)];
  const started = performance.now();
  const child = haveTime ? spawn(TIME, ['-f', 'LSBENCH %U %S %M', 'rsync', ...rsyncArgs], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('rsync', rsyncArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  void track(child);
  const sampler = every(20, async () => {
    for (const pid of descendants(daemon.pid)) daemonPeak = Math.max(daemonPeak, procStatusBytes(pid, 'VmHWM') || 0);
    if (!haveTime) {
      clientPeak = Math.max(clientPeak, procStatusBytes(child.pid!, 'VmHWM') || 0);
      clientCpu = Math.max(clientCpu, procCpuSeconds(child.pid!, 'self') || 0);
    }
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  const seconds = (performance.now() - started) / 1000;
  await sampler.stop();
  await tally.end();
  if (code !== 0) throw new Error(`rsync exited with ${code}: ${err.trim()}`);
  const timed = /LSBENCH ([\d.]+) ([\d.]+) (\d+)/.exec(err);
  if (timed) {
    clientCpu = Number(timed[1]) + Number(timed[2]);
    clientPeak = Number(timed[3]) * 1024;
  }
  const number = (label: string): number => {
    const m = new RegExp(`${label}: ([\\d,.]+)`).exec(out);
    return m ? Number(m[1]!.replace(/[,.]/g, '')) : NaN;
  };
  // The daemon reaps its receiver when the connection ends, a moment after the client exits.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const statsBytes = number('Total bytes sent') + number('Total bytes received');
  return {
    seconds,
    wireBytes: tally.seen() ? tally.total() : NaN,
    statsBytes,
    procs: [
      { name: 'rsync client', peakRss: clientPeak, cpuSeconds: clientCpu },
      { name: 'rsync daemon side', peakRss: daemonPeak, cpuSeconds: procCpuSeconds(daemon.pid, 'children') - daemonCpuBefore },
    ],
  };
}

/** Whether the rsync binary is on PATH. */
export function haveRsync(): boolean {
  const probe = spawnSync('rsync', ['--version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}


export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const data of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(data as Buffer);
  return hash.digest('hex');
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, pollMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

