/**
 * One named logger per module. Lines go to stderr so stdout stays clean for
 * command output. LEFTSYNC_LOG sets the level (debug, info, warn, error; default
 * info); LEFTSYNC_LOG_FORMAT=json prints one JSON object per line, which the
 * end-to-end tests parse to observe events.
 */
import { writeSync } from 'node:fs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

let threshold: number = LEVEL_RANK[parseLevel(process.env.LEFTSYNC_LOG)];
let jsonFormat = process.env.LEFTSYNC_LOG_FORMAT === 'json';
/**
 * Lines go to stderr once per event-loop turn, not one write each: a sync of
 * 10,000 small files logs a line per file on each side, and a stream write per
 * line cost ~50 us there. What is pending at exit is written synchronously; a
 * SIGKILL loses at most the lines of the turn it lands in.
 */
let pending: string[] = [];
let sink: (line: string) => void = (line) => {
  if (pending.push(line + '\n') === 1) setImmediate(writePending);
};
process.on('exit', flushLogs);

function takePending(): string {
  const text = pending.join('');
  pending = [];
  return text;
}

function writePending(): void {
  if (pending.length > 0) process.stderr.write(takePending());
}

/** Writes the lines still waiting for their turn's end, synchronously (at exit, and before other output to stderr, to keep the order). */
export function flushLogs(): void {
  if (pending.length === 0) return;
  try {
    writeSync(2, takePending());
  } catch {
    // stderr closed or full at exit: nowhere left to say it
  }
}

function parseLevel(value: string | undefined): LogLevel {
  return value !== undefined && value in LEVEL_RANK ? (value as LogLevel) : 'info';
}

export function setLogLevel(level: LogLevel): void {
  threshold = LEVEL_RANK[level];
}

export function setLogFormat(format: 'text' | 'json'): void {
  jsonFormat = format === 'json';
}

/** Replaces where lines go (tests capture them). Returns the previous sink. */
export function setLogSink(next: (line: string) => void): (line: string) => void {
  const previous = sink;
  sink = next;
  return previous;
}

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  child(suffix: string): Logger;
}

/**
 * Characters a terminal acts on rather than shows, which file names from a peer
 * may carry: C0 controls, DEL, C1 controls (U+009B is a one-byte CSI), the bidi
 * marks, embeddings, overrides and isolates (U+202E can make "exe.txt" read
 * "txt.exe"), and the Unicode line and paragraph separators. JSON.stringify
 * escapes only C0, so every finished line passes through escapeUnsafe.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Replaces each unsafe character with its JSON escape (so a JSON line stays valid JSON). */
export function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

function formatValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) && !value.match(UNSAFE) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { message: value.message, code: (value as { code?: unknown }).code };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/**
 * `event` is a short dotted name ("peer.connected"); put the human sentence in
 * fields.msg when there is one.
 */
export function createLogger(module: string): Logger {
  const emit = (level: LogLevel, event: string, fields: LogFields = {}): void => {
    if (LEVEL_RANK[level] < threshold) return;
    const time = new Date().toISOString();
    if (jsonFormat) {
      sink(escapeUnsafe(JSON.stringify({ time, level, module, event, pid: process.pid, ...fields }, jsonReplacer)));
      return;
    }
    const rest = Object.entries(fields)
      .map(([key, value]) => `${key}=${formatValue(value)}`)
      .join(' ');
    sink(escapeUnsafe(`${time} ${level.toUpperCase().padEnd(5)} [${module}] ${event}${rest ? ' ' + rest : ''}`));
  };
  return {
    debug: (event, fields) => emit('debug', event, fields),
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
    error: (event, fields) => emit('error', event, fields),
    child: (suffix) => createLogger(`${module}:${suffix}`),
  };
}
