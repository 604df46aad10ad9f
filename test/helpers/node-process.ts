/**
 * Real leftsync processes for end-to-end tests. start() spawns
 * `node dist/src/cli/main.js --dir DIR ...args --log-format json` and parses its
 * stderr into log events; waitForLog() waits for an event matching a predicate.
 * Every process started is killed by cleanupNodes() (call it in after()).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keepLogLine } from './quiet-logs.js';

/** dist/src/cli/main.js, resolved from this compiled file (dist/test/helpers/). */
export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface LogEvent {
  event: string;
  level: string;
  module: string;
  [field: string]: unknown;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Default true: adds --log-format json. */
  json?: boolean;
  /** Keep stdout lines (in stdoutLines); default false (ignored). */
  stdout?: boolean;
  /** Node flags before the script (default none; NODE_FLAGS of bench/sync-rig.ts are the bin's). */
  nodeFlags?: string[];
}

const running = new Set<NodeProcess>();

export class NodeProcess {
  child!: ChildProcess;
  /** Events of the current incarnation, in order. */
  events: LogEvent[] = [];
  /** Raw stderr lines that were not JSON (usage errors, crashes). */
  textLines: string[] = [];
  /** Stdout lines of the current incarnation, with StartOptions.stdout. */
  stdoutLines: string[] = [];
  exit!: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private listeners = new Set<() => void>();
  private exited = false;

  constructor(
    readonly dir: string,
    readonly args: string[],
    private readonly options: StartOptions = {},
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Spawns the process (again, for restart). Refuses while the previous incarnation still runs. */
  spawn(): this {
    if (this.child && !this.exited) throw new Error(`spawn(): ${this.dir} is still running (pid ${this.child.pid})`);
    const args = [CLI, '--dir', this.dir, ...this.args];
    if (this.options.json !== false) args.push('--log-format', 'json');
    this.events = [];
    this.textLines = [];
    this.stdoutLines = [];
    this.exited = false;
    const child = spawn(process.execPath, [...(this.options.nodeFlags ?? []), ...args], {
      env: { ...process.env, ...this.options.env },
      stdio: ['ignore', this.options.stdout ? 'pipe' : 'ignore', 'pipe'],
    });
    this.child = child;
    if (this.options.stdout) {
      let partial = '';
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop()!;
        this.stdoutLines.push(...lines);
        this.notify();
      });
    }
    running.add(this);
    let buffered = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        this.addLine(line);
      }
    });
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true;
        running.delete(this);
        if (buffered) this.addLine(buffered);
        buffered = '';
        this.notify();
        resolve({ code, signal });
      });
    });
    return this;
  }

  private addLine(line: string): void {
    if (line.trim() === '') return;
    keepLogLine(`[pid ${this.child.pid}] ${line}`);
    try {
      const parsed = JSON.parse(line) as LogEvent;
      if (typeof parsed.event === 'string') this.events.push(parsed);
      else this.textLines.push(line);
    } catch {
      this.textLines.push(line);
    }
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  /** Number of events so far; pass it as `from` to wait only for later events. */
  mark(): number {
    return this.events.length;
  }

  /** Resolves with the first event (at index >= from) matching `predicate`. */
  waitForLog(predicate: (event: LogEvent) => boolean, timeoutMs = 15_000, from = 0): Promise<LogEvent> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (let i = from; i < this.events.length; i++) {
          if (predicate(this.events[i])) {
            done();
            resolve(this.events[i]);
            return true;
          }
        }
        if (this.exited) {
          done();
          reject(new Error(`process ${this.dir} exited while waiting for a log event; stderr: ${this.textLines.join(' | ')}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        const seen = this.events.map((e) => e.event).join(', ');
        reject(new Error(`no matching log event from ${this.dir} within ${timeoutMs} ms; seen: ${seen}`));
      }, timeoutMs);
      const listener = (): void => void check();
      const done = (): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      this.listeners.add(listener);
      check();
    });
  }

  /** Shorthand: the first event named `event` whose fields include `fields`. */
  waitForEvent(event: string, fields: Record<string, unknown> = {}, timeoutMs?: number, from?: number): Promise<LogEvent> {
    return this.waitForLog((e) => e.event === event && Object.entries(fields).every(([k, v]) => e[k] === v), timeoutMs, from);
  }

  /** Sends a signal and, unless it is SIGSTOP/SIGCONT, waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.exited) return;
    this.child.kill(signal);
    if (signal === 'SIGSTOP' || signal === 'SIGCONT') return;
    await this.exit;
  }

  async restart(signal: NodeJS.Signals = 'SIGTERM'): Promise<this> {
    await this.kill(signal);
    return this.spawn();
  }
}

/** Starts `leftsync --dir dir ...args --log-format json`. */
export function startNode(dir: string, args: string[], options?: StartOptions): NodeProcess {
  return new NodeProcess(dir, args, options).spawn();
}

/** Kills every process still running (SIGCONT first in case it was stopped). */
export async function cleanupNodes(): Promise<void> {
  await Promise.all(
    [...running].map(async (node) => {
      try {
        node.child.kill('SIGCONT');
        node.child.kill('SIGKILL');
      } catch {
        // already gone
      }
      await node.exit;
    }),
  );
}

/** A fresh temporary folder; removeTempDirs() deletes all of them. */
const tempDirs: string[] = [];
export function tempDir(prefix = 'leftsync-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
