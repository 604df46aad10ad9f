/**
 * The moving parts of `npm run bench`: two leftsync processes linked on
 * loopback, an rsync daemon, and the measurements taken from outside them
 * (log events, TCP byte counters from `ss`, VmHWM and CPU time from /proc).
 * Everything started here is stopped by PID in stopAll().
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/src/cli/main.js, resolved from this compiled file (dist/bench/). */
export const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
/** Node flags the bench runs leftsync with: the ones the installed `leftsync` bin passes (src/cli/main.ts shebang). */
export const NODE_FLAGS = ['--max-semi-space-size=1', ...extraNodeFlags()];

/** BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" adds flags to each leftsync process (profiling). */
function extraNodeFlags(): string[] {
  return (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter((flag) => flag !== '');
}

const children = new Set<ChildProcess>();

export interface LogEvent {
  event: string;
  /** When the bench read the line (ms, Date.now()). */
  seenAt: number;
  [field: string]: unknown;
}

/** One leftsync process; its JSON log events are kept in order. */
export class LeftsyncNode {
  readonly events: LogEvent[] = [];
  private readonly child: ChildProcess;
  private readonly waiters = new Set<(e: LogEvent) => void>();
  private exited = false;

  constructor(
    readonly name: string,
    readonly dir: string,
    readonly port: number,
    peerPort: number,
    secret: string,
  ) {
    const args = [...NODE_FLAGS, CLI, '--dir', dir, '--port', String(port), '--listen', '127.0.0.1'];
    args.push('--ip', `127.0.0.1:${peerPort}`, '--secret', secret, '--log-format', 'json');
    this.child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    children.add(this.child);
    this.child.once('exit', () => {
      this.exited = true;
      children.delete(this.child);
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

  /** Resolves with the first event (already seen or later) that matches. */
  waitFor(match: (e: LogEvent) => boolean, timeoutMs: number, what: string): Promise<LogEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms${this.exited ? ' (process exited)' : ''}`));
      }, timeoutMs);
      const waiter = (e: LogEvent): void => {
        if (!match(e)) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(e);
      };
      this.waiters.add(waiter);
    });
  }

  /** Peak resident set of the process so far, MiB (VmHWM). */
  peakRssMiB(): number {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  }

  /** User + system CPU seconds the process has used so far. */
  cpuSeconds(): number {
    return procCpuSeconds(this.pid, 'self');
  }

  private addLine(line: string): void {
    let event: LogEvent;
    try {
      event = { ...(JSON.parse(line) as Record<string, unknown>), seenAt: Date.now() } as LogEvent;
    } catch {
      process.stderr.write(`[${this.name}] ${line}\n`);
      return;
    }
    if (event.level === 'error') process.stderr.write(`[${this.name}] ${line}\n`);
    this.events.push(event);
    for (const waiter of [...this.waiters]) waiter(event);
  }
}

/**
 * CPU seconds (user + system) from /proc/PID/stat: of the process itself, or of
 * its children that exited and were waited for (how the rsync daemon's forked
 * receivers and our own rsync clients are counted). Clock ticks are 1/100 s on Linux.
 */
export function procCpuSeconds(pid: number | 'self', which: 'self' | 'children'): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const at = which === 'self' ? 11 : 13;
  return (Number(fields[at]) + Number(fields[at + 1])) / 100;
}

/** An rsync daemon serving one writable module, "mod", at `path`. */
export class RsyncDaemon {
  private readonly child: ChildProcess;

  private constructor(
    readonly port: number,
    configPath: string,
  ) {
    this.child = spawn('rsync', ['--daemon', '--no-detach', `--config=${configPath}`, `--port=${port}`, '--address=127.0.0.1'], {
      stdio: 'ignore',
    });
    children.add(this.child);
    this.child.once('exit', () => children.delete(this.child));
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
    const daemon = new RsyncDaemon(port, config);
    await waitUntil(() => rsyncReachable(port), 5000, 'rsync daemon listening');
    return daemon;
  }

  get url(): string {
    return `rsync://127.0.0.1:${this.port}/mod/`;
  }

  get pid(): number {
    return this.child.pid!;
  }
}

function rsyncReachable(port: number): boolean {
  return spawnSync('rsync', [`rsync://127.0.0.1:${port}/`], { stdio: 'ignore' }).status === 0;
}

export interface RsyncRun {
  seconds: number;
  /** "Total bytes sent" + "Total bytes received" of --stats (both directions). */
  wireBytes: number;
  /** CPU seconds of the rsync client and the daemon's forked receiver. */
  cpuSeconds: number;
}

/** `rsync -a --no-whole-file --stats SRC URL`, timed from spawn to exit. */
export function runRsync(source: string, daemon: RsyncDaemon): Promise<RsyncRun> {
  const url = daemon.url;
  const cpuBefore = procCpuSeconds('self', 'children') + procCpuSeconds(daemon.pid, 'children');
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('rsync', ['-a', '--no-whole-file', '--stats', source, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      children.delete(child);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) {
        reject(new Error(`rsync exited with ${code}: ${err.trim()}`));
        return;
      }
      const number = (label: string): number => {
        const m = new RegExp(`${label}: ([\\d,.]+)`).exec(out);
        return m ? Number(m[1]!.replace(/[,.]/g, '')) : NaN;
      };
      // The daemon reaps its receiver when the connection ends, a moment after the client exits.
      setTimeout(() => {
        const cpuSeconds = procCpuSeconds('self', 'children') + procCpuSeconds(daemon.pid, 'children') - cpuBefore;
        resolve({ seconds, wireBytes: number('Total bytes sent') + number('Total bytes received'), cpuSeconds });
      }, 200);
    });
  });
}

/** Whether the rsync binary is on PATH. */
export function haveRsync(): boolean {
  const probe = spawnSync('rsync', ['--version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/**
 * Bytes that crossed the loopback TCP connections whose local or remote port is
 * one of `ports`, both directions, from the kernel's counters (`ss -ti`): what
 * really went over the wire, WebSocket framing and index traffic included.
 * Keyed by connection, so a delta is taken per connection that lived throughout.
 */
export function tcpBytes(ports: number[]): Map<string, number> {
  const result = spawnSync('ss', ['-tinH', 'state', 'established'], { encoding: 'utf8' });
  const totals = new Map<string, number>();
  if (result.status !== 0) return totals;
  const lines = result.stdout.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const head = lines[i]!.trim().split(/\s+/);
    // "Recv-Q Send-Q Local:Port Peer:Port" then an indented line of counters.
    const local = head[2];
    const peer = head[3];
    if (local === undefined || peer === undefined) continue;
    const localPort = Number(local.slice(local.lastIndexOf(':') + 1));
    if (!ports.includes(localPort)) continue; // count each connection once: on its listening side
    const info = lines[i + 1] ?? '';
    const sent = /bytes_sent:(\d+)/.exec(info) ?? /bytes_acked:(\d+)/.exec(info);
    const received = /bytes_received:(\d+)/.exec(info);
    totals.set(`${local}-${peer}`, Number(sent?.[1] ?? 0) + Number(received?.[1] ?? 0));
  }
  return totals;
}

/** Bytes moved on connections present in both snapshots (a reconnect in between is not counted). */
export function tcpDelta(before: Map<string, number>, after: Map<string, number>): number {
  let total = 0;
  for (const [key, bytes] of after) total += bytes - (before.get(key) ?? 0);
  return total;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const data of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(data as Buffer);
  return hash.digest('hex');
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Stops every process this module started (by PID) and waits for them to exit. */
export async function stopAll(): Promise<void> {
  const exits = [...children].map(
    (child) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  );
  await Promise.all(exits);
}
