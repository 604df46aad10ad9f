/**
 * What the bench reads from the kernel, never from leftsync: peak RSS and CPU
 * time of a process (/proc), the processes a daemon forked, and the bytes on
 * TCP connections (`ss -ti`, and `ss -tiE` for connections that close).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { track } from './processes.js';

const haveStdbuf = spawnSync('stdbuf', ['--version'], { stdio: 'ignore' }).status === 0;

/** A field of /proc/PID/status in bytes (NaN when the process is gone). */
export function procStatusBytes(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * CPU seconds (user + system) from /proc/PID/stat: of the process itself, or of
 * its children that exited and were waited for (how the rsync daemon's forked
 * receivers are counted). Clock ticks are 1/100 s on Linux.
 */
export function procCpuSeconds(pid: number | 'self', which: 'self' | 'children'): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const at = which === 'self' ? 11 : 13;
    return (Number(fields[at]) + Number(fields[at + 1])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * PIDs of every live descendant of `root`: from /proc/PID/task/TID/children where
 * the kernel has it (cheap enough to poll every 20 ms), else from the ppid field
 * of every /proc/N/stat.
 */
export function descendants(root: number): number[] {
  const found: number[] = [];
  const viaChildren = (pid: number): boolean => {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      return true; // gone meanwhile
    }
    for (const tid of tasks) {
      let text: string;
      try {
        text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && existsSync(`/proc/${pid}/task/${tid}`)) return false;
        continue;
      }
      for (const child of text.split(' ').filter((t) => t !== '').map(Number)) {
        found.push(child);
        viaChildren(child);
      }
    }
    return true;
  };
  if (viaChildren(root)) return found;
  found.length = 0;
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const after = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]!.split(' ');
      parentOf.set(Number(name), Number(after[1]));
    } catch {
      // gone meanwhile
    }
  }
  const wanted = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parentOf) {
      if (wanted.has(ppid) && !wanted.has(pid)) {
        wanted.add(pid);
        found.push(pid);
        grew = true;
      }
    }
  }
  return found;
}

/**
 * Parses `ss -ti` output: a head line per socket ("[State] Recv-Q Send-Q Local:Port
 * Peer:Port") then an indented line of counters. Keeps sockets whose local port
 * is one of `ports` (the listening side, so each connection is counted once);
 * value = bytes sent + received, both directions, as the kernel counted them.
 */
function parseSs(text: string, ports: number[], into: Map<string, number>): void {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (/^\s/.test(lines[i]!) || lines[i] === '') continue;
    const [local, peer] = lines[i]!.trim().split(/\s+/).filter((t) => /:\d+$/.test(t));
    if (local === undefined || peer === undefined) continue;
    if (!ports.includes(Number(local.slice(local.lastIndexOf(':') + 1)))) continue;
    const info = lines[i + 1] ?? '';
    const sent = /bytes_sent:(\d+)/.exec(info) ?? /bytes_acked:(\d+)/.exec(info);
    const received = /bytes_received:(\d+)/.exec(info);
    into.set(`${local}-${peer}`, Number(sent?.[1] ?? 0) + Number(received?.[1] ?? 0));
  }
}

function portFilter(ports: number[]): string {
  return `( ${ports.map((p) => `sport = :${p}`).join(' or ')} )`;
}

/**
 * Bytes that crossed the loopback TCP connections on `ports`, from the kernel's
 * counters (`ss -ti`): what really went over the wire, framing and index
 * traffic included. Keyed by connection.
 */
export async function tcpBytes(ports: number[]): Promise<Map<string, number>> {
  const stdout = await new Promise<string>((resolve) => {
    const child = spawn('ss', ['-tinH', 'state', 'established', portFilter(ports)], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (text += d));
    child.once('error', () => resolve(''));
    child.once('close', () => resolve(text));
  });
  const totals = new Map<string, number>();
  parseSs(stdout, ports, totals);
  return totals;
}

/**
 * Kernel byte counts over a span in which connections may come and go (a killed
 * peer, a short rsync run). Connections alive at begin() count from there;
 * those that close meanwhile are read from `ss -tiE`, which prints each socket's
 * final counters as the kernel destroys it; the rest at end().
 */
export class TcpTally {
  private readonly start = new Map<string, number>();
  private readonly last = new Map<string, number>();
  private watcher: ChildProcess | null = null;
  private watcherExit: Promise<void> = Promise.resolve();

  constructor(private readonly ports: number[]) {}

  async begin(): Promise<void> {
    // No filter expression here: ss applies none to destroy events (checked with ss 6.x); parseSs filters.
    // ss block-buffers a pipe: without stdbuf the last sockets would sit in its buffer when it is stopped.
    const watcher = haveStdbuf ? spawn('stdbuf', ['-oL', 'ss', '-tinEH'], { stdio: ['ignore', 'pipe', 'ignore'] })
      : spawn('ss', ['-tinEH'], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.watcher = watcher;
    this.watcherExit = track(watcher);
    let partial = '';
    let head: string | null = null;
    watcher.stdout!.setEncoding('utf8');
    watcher.stdout!.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        if (!/^\s/.test(line)) {
          head = line;
          continue;
        }
        if (head === null) continue;
        const closed = new Map<string, number>();
        parseSs(`${head}\n${line}`, this.ports, closed);
        head = null;
        for (const [key, bytes] of closed) this.last.set(key, Math.max(bytes, this.last.get(key) ?? 0));
      }
    });
    watcher.once('error', () => {});
    // ss subscribes to destroy events as it starts; give it that moment.
    await new Promise((resolve) => setTimeout(resolve, 150));
    for (const [key, bytes] of await tcpBytes(this.ports)) {
      this.start.set(key, bytes);
      this.last.set(key, bytes);
    }
  }

  /** A snapshot of the live connections (for decisions taken mid-span, e.g. "half the file has crossed"). */
  async sample(): Promise<void> {
    for (const [key, bytes] of await tcpBytes(this.ports)) this.last.set(key, Math.max(bytes, this.last.get(key) ?? 0));
  }

  async end(): Promise<void> {
    await this.sample();
    // Late destroy events of connections that just closed.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const watcher = this.watcher;
    this.watcher = null;
    watcher?.kill('SIGTERM');
    await this.watcherExit;
  }

  seen(): boolean {
    return this.last.size > 0;
  }

  total(): number {
    let sum = 0;
    for (const [key, bytes] of this.last) sum += bytes - (this.start.get(key) ?? 0);
    return sum;
  }
}

/** Runs `step` every `ms`, skipping a tick while the previous run is still going, until stop() (which runs it once more). */
export function every(ms: number, step: () => Promise<void>): { stop(): Promise<void> } {
  let busy = false;
  let running: Promise<void> = Promise.resolve();
  const tick = (): void => {
    if (busy) return;
    busy = true;
    running = step().catch(() => {}).finally(() => (busy = false));
  };
  tick();
  const timer = setInterval(tick, ms);
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await step().catch(() => {});
    },
  };
}
