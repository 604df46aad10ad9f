/**
 * The two ways a syncfs is run (Node has no syncfs binding): coreutils'
 * `sync -f DIR`, spawned per call (spawnSyncF), or sent as one line to a
 * long-lived shell that runs it (SyncShell, the default). Spawning blocks the
 * event loop for the fork of this process: about 1.5 ms at 100 MB RSS here,
 * two per batch, 0.5 s of the receiver's 3.7 CPU-seconds in the 10,000-file
 * bench row. The shell is small, so its forks are cheap and not on our thread.
 * It reads its requests from our pipe and ends when that closes, so it goes
 * with this process even after a SIGKILL.
 */
import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { Socket } from 'node:net';
import { createLogger } from '../log.js';

const log = createLogger('syncfs');

/**
 * Runs syncfs on the filesystem holding `dir`. Rejects with SyncfsUnsupported
 * when the tool is missing or refuses -f, with an Error (ENOSPC / EIO code when
 * its message says so) when the sync itself failed.
 */
export type SyncfsRunner = (dir: string) => Promise<void>;

/** Why a run of `sync -f` did not sync. */
export class SyncfsUnsupported extends Error {}

/** A sync that takes longer than this is a stalled disk: reported as an I/O error. */
const SYNC_TIMEOUT_MS = 120_000;
const UNSUPPORTED = /invalid option|illegal option|unrecognized option|unknown option|usage:|not supported|function not implemented/i;

/** The error for a `sync -f` that exited with `message`; `errno` is the spawn's own failure, if any. */
function syncFailure(dir: string, message: string, errno?: string): Error {
  if (errno === 'ENOENT' || errno === 'EACCES' || UNSUPPORTED.test(message)) return new SyncfsUnsupported(message);
  const failure = new Error(`sync -f ${dir}: ${message}`) as NodeJS.ErrnoException;
  failure.code = /no space left|quota exceeded/i.test(message) ? 'ENOSPC' : 'EIO';
  return failure;
}

let found: { searched: string; binary: string } | null = null;

/**
 * `sync` looked up on PATH once (again only if PATH changes): a bare name makes
 * every spawn try each PATH entry in turn (eight failed execve calls here, in
 * the spawn that blocks the event loop).
 */
function syncBinary(): string {
  const searched = process.env.PATH ?? '';
  if (found?.searched === searched) return found.binary;
  let binary = 'sync'; // not found: the spawn's ENOENT says unsupported
  for (const dir of searched.split(path.delimiter)) {
    if (dir === '' || !path.isAbsolute(dir)) continue;
    try {
      accessSync(path.join(dir, 'sync'), constants.X_OK);
      binary = path.join(dir, 'sync');
      break;
    } catch {
      // not in this folder
    }
  }
  found = { searched, binary };
  return binary;
}

/**
 * The tool's environment: PATH only (the share's secret stays with us), and the
 * C locale, so its error messages are the English ones syncFailure reads.
 */
function toolEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' };
}

export const spawnSyncF: SyncfsRunner = (dir) =>
  new Promise((resolve, reject) => {
    execFile(syncBinary(), ['-f', dir], { timeout: SYNC_TIMEOUT_MS, env: toolEnv() }, (err, _stdout, stderr) => {
      if (err === null) return resolve();
      reject(syncFailure(dir, String(stderr).trim() || err.message, (err as NodeJS.ErrnoException).code));
    });
  });

/**
 * Reads a folder per line and answers each with the tool's own output (its
 * errors), then a status line. $0 is the tool; 127 and 126 are the shell's
 * "not found" and "not executable".
 */
const SHELL_LOOP = 'while IFS= read -r d; do "$0" -f "$d" 2>&1; echo "leftsync-sync-status:$?"; done';
const STATUS_LINE = /(?:^|\n)leftsync-sync-status:(\d+)\n/;
/** A shell that died this often is given up on: every later call spawns. */
const MAX_SHELL_DEATHS = 3;

type ShellProcess = ChildProcessByStdio<Socket, Socket, null>;

interface SyncRequest {
  dir: string;
  resolve(): void;
  reject(err: unknown): void;
}

/** One long-lived shell running `sync -f` for each request in turn (see the module comment). */
export class SyncShell {
  private child: ShellProcess | null = null;
  /** Requests written to the shell, answered in order. */
  private readonly waiting: SyncRequest[] = [];
  private output = '';
  private deaths = 0;
  private timer: NodeJS.Timeout | null = null;

  /**
   * `binary` null: `sync` from PATH. `fallback` runs a request whose shell died
   * before answering (whether it synced is unknown) and every request once the
   * shell has died MAX_SHELL_DEATHS times.
   */
  constructor(
    private readonly binary: string | null = null,
    private readonly fallback: SyncfsRunner = spawnSyncF,
  ) {}

  readonly run: SyncfsRunner = (dir) => {
    // A newline would split the request; such a folder is rare enough to spawn for.
    if (dir.includes('\n') || this.deaths >= MAX_SHELL_DEATHS) return this.fallback(dir);
    return new Promise<void>((resolve, reject) => {
      const child = this.child ?? this.start();
      this.waiting.push({ dir, resolve, reject });
      this.holdOpen(true);
      child.stdin.write(`${dir}\n`);
    });
  };

  /** The shell's pid while one runs (tests check that one serves many calls). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private start(): ShellProcess {
    // Pipes are net.Sockets, which can be unref'd (the typings say only Writable/Readable).
    const child = spawn('/bin/sh', ['-c', SHELL_LOOP, this.binary ?? syncBinary()], { stdio: ['pipe', 'pipe', 'ignore'], env: toolEnv() }) as unknown as ShellProcess;
    this.child = child;
    this.output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => this.answer(text));
    // A broken pipe is reported by the exit (or the spawn error) that comes with it.
    child.stdin.on('error', () => undefined);
    child.on('error', (err) => this.died(child, err));
    child.on('exit', (code, signal) => this.died(child, new Error(`sync shell exited (${signal ?? code})`)));
    child.unref();
    return child;
  }

  private answer(text: string): void {
    this.output += text;
    for (let match = STATUS_LINE.exec(this.output); match !== null; match = STATUS_LINE.exec(this.output)) {
      const message = this.output.slice(0, match.index).trim();
      this.output = this.output.slice(match.index + match[0].length);
      const request = this.waiting.shift();
      if (request === undefined) continue;
      const status = Number(match[1]);
      if (status === 0) request.resolve();
      else request.reject(syncFailure(request.dir, message || `exit status ${status}`, status === 127 || status === 126 ? 'ENOENT' : undefined));
    }
    this.holdOpen(this.waiting.length > 0);
  }

  /** Unanswered requests go to the fallback; the next call starts a new shell. */
  private died(child: ShellProcess, err: Error): void {
    if (this.child !== child) return;
    this.child = null;
    this.deaths++;
    this.holdOpen(false);
    child.kill('SIGKILL');
    const unanswered = this.waiting.splice(0);
    if (unanswered.length > 0 || this.deaths >= MAX_SHELL_DEATHS) log.warn('syncfs.shell_died', { msg: 'the sync shell died; its requests are run by spawning', error: err.message, deaths: this.deaths });
    for (const request of unanswered) this.fallback(request.dir).then(request.resolve, request.reject);
  }

  /**
   * The pipe keeps the event loop alive only while a request waits (an idle
   * shell must not keep this process from exiting); a request that waits
   * longer than SYNC_TIMEOUT_MS fails as an I/O error and the shell is replaced.
   */
  private holdOpen(waiting: boolean): void {
    const child = this.child;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (child === null) return;
    if (!waiting) {
      child.stdout.unref();
      child.stdin.unref();
      return;
    }
    child.stdout.ref();
    this.timer = setTimeout(() => {
      this.child = null;
      child.kill('SIGKILL');
      for (const request of this.waiting.splice(0)) request.reject(syncFailure(request.dir, `timed out after ${SYNC_TIMEOUT_MS / 1000} s`));
    }, SYNC_TIMEOUT_MS);
  }
}
