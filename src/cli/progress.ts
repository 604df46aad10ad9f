/**
 * Progress bars for downloads, fed from the event bus (transfer.started,
 * transfer.progress, transfer.ended): one line per file being pulled, with its
 * name, percent, MB/s and ETA, several at once (cli-progress's MultiBar). A
 * transfer gets a bar only once it has run for `showAfterMs` (a second): the
 * many files that take less would only flicker. Nothing at all is written to a
 * stream that is not a TTY; the CLI also leaves the bars out with --json and -q.
 *
 * While bars are shown, log lines would be drawn over by the next redraw, so
 * with `routeLogs` they go through the MultiBar, which prints them above the bars.
 */
import cliProgress from 'cli-progress';
import type { MultiBar, SingleBar } from 'cli-progress';
import { escapeUnsafe, setLogSink } from '../log.js';
import type { SyncEvent, TransferData } from '../status/events.js';

export interface BarStream extends NodeJS.WritableStream {
  isTTY?: boolean;
  columns?: number;
}

export interface TransferBarsOptions {
  stream: BarStream;
  /** Milliseconds (default Date.now); tests pass a fake clock. */
  now?: () => number;
  /** A transfer shows a bar once it has lasted this long (default 1000 ms). */
  showAfterMs?: number;
  /** Send log lines through the bars while they are shown (the CLI does; tests need not). */
  routeLogs?: boolean;
}

interface BarPayload {
  file: string;
  percent: string;
  speed: string;
  eta: string;
}

interface Running {
  startedAt: number;
  startBytes: number;
  bar: SingleBar | null;
}

/** Columns of a bar line besides the name: " |", the bar, "| ", percent, speed, " ETA ", the ETA. */
const FIXED_WIDTH = 2 + 20 + 2 + 4 + 1 + 10 + 5 + 6;

export class TransferBars {
  /** Pass as the node's onEvent. */
  readonly listener = (event: SyncEvent): void => this.handle(event);
  private readonly running = new Map<string, Running>();
  private readonly now: () => number;
  private readonly showAfterMs: number;
  private readonly enabled: boolean;
  private multibar: MultiBar | null = null;
  private previousSink: ((line: string) => void) | null = null;

  constructor(private readonly options: TransferBarsOptions) {
    this.now = options.now ?? Date.now;
    this.showAfterMs = options.showAfterMs ?? 1000;
    this.enabled = options.stream.isTTY === true;
  }

  /** Bars on screen now. */
  get shown(): number {
    let n = 0;
    for (const transfer of this.running.values()) if (transfer.bar !== null) n++;
    return n;
  }

  handle(event: SyncEvent): void {
    if (!this.enabled) return;
    if (event.type === 'transfer.started') {
      this.end(event.data);
      this.running.set(keyOf(event.data), { startedAt: this.now(), startBytes: event.data.bytesDone, bar: null });
    } else if (event.type === 'transfer.progress') {
      this.progress(event.data);
    } else if (event.type === 'transfer.ended') {
      this.end(event.data);
    }
  }

  /** Draws now instead of at the next frame (tests). */
  redraw(): void {
    this.multibar?.update();
  }

  /** Clears the bars and gives the log its own line again (the node stopped). */
  stop(): void {
    for (const transfer of this.running.values()) transfer.bar = null;
    this.running.clear();
    this.closeBars();
  }

  private progress(data: TransferData): void {
    const transfer = this.running.get(keyOf(data));
    if (transfer === undefined) return;
    const elapsed = this.now() - transfer.startedAt;
    if (transfer.bar === null) {
      if (elapsed < this.showAfterMs) return;
      transfer.bar = this.bars().create(Math.max(1, data.size), data.bytesDone, this.payload(data, transfer, elapsed));
    }
    transfer.bar.update(data.bytesDone, this.payload(data, transfer, elapsed));
  }

  private end(data: TransferData): void {
    const key = keyOf(data);
    const transfer = this.running.get(key);
    if (transfer === undefined) return;
    this.running.delete(key);
    if (transfer.bar === null || this.multibar === null) return;
    this.multibar.remove(transfer.bar);
    if (this.shown === 0) this.closeBars();
  }

  private bars(): MultiBar {
    if (this.multibar === null) {
      this.multibar = new cliProgress.MultiBar({
        stream: this.options.stream,
        // A function, not a template: a file name holding "{bar}" or "{value}" is shown as it is.
        format: (_options, params, payload: BarPayload) => `${payload.file} |${barOf(params.progress)}| ${payload.percent} ${payload.speed} ETA ${payload.eta}`,
        clearOnComplete: true,
        hideCursor: false,
        // Long log lines printed above the bars must wrap, not be cut at the edge.
        linewrap: true,
        gracefulExit: false,
        fps: 5,
      });
      if (this.options.routeLogs) {
        const bars = this.multibar;
        this.previousSink = setLogSink((line) => bars.log(line + '\n'));
      }
    }
    return this.multibar;
  }

  private closeBars(): void {
    if (this.multibar === null) return;
    this.multibar.update(); // prints log lines still waiting for the next frame
    this.multibar.stop();
    this.multibar = null;
    if (this.previousSink !== null) {
      setLogSink(this.previousSink);
      this.previousSink = null;
    }
  }

  /** The name gets what the terminal leaves (cli-progress cuts a line at the edge, ETA first). */
  private nameWidth(): number {
    return Math.min(40, Math.max(10, (this.options.stream.columns || 80) - FIXED_WIDTH - 1));
  }

  private payload(data: TransferData, transfer: Running, elapsedMs: number): BarPayload {
    const bytesPerSecond = elapsedMs > 0 ? ((data.bytesDone - transfer.startBytes) * 1000) / elapsedMs : 0;
    const left = Math.max(0, data.size - data.bytesDone);
    return {
      // Names come from peers: terminal controls are escaped, as in the logs.
      file: escapeUnsafe(shortName(data.path, this.nameWidth())),
      percent: `${Math.floor((data.bytesDone * 100) / Math.max(1, data.size))}%`.padStart(4),
      speed: `${(bytesPerSecond / 1e6).toFixed(1)} MB/s`.padStart(10),
      eta: bytesPerSecond > 0 ? formatSeconds(left / bytesPerSecond) : '--',
    };
  }
}

function keyOf(data: TransferData): string {
  return `${data.peer}\0${data.path}`;
}

/** The file's name, cut from the left to `width` so the bars line up. */
function shortName(path: string, width: number): string {
  return path.length <= width ? path.padEnd(width) : '…' + path.slice(path.length - width + 1);
}

const BAR_WIDTH = 20;

function barOf(progress: number): string {
  const done = Math.round(Math.min(1, Math.max(0, progress)) * BAR_WIDTH);
  return '\u2588'.repeat(done) + '\u2591'.repeat(BAR_WIDTH - done);
}

export function formatSeconds(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
