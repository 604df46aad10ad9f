/**
 * Captures leftsync log events in-process (JSON format) so tests can wait for
 * them. Each transport logs under module "transport:<peer id>".
 */
import { setLogFormat, setLogLevel, setLogSink } from '../../src/log.js';
import type { LogEvent } from './node-process.js';

export class LogCapture {
  readonly events: LogEvent[] = [];
  private previous: ((line: string) => void) | null;
  private listeners = new Set<() => void>();

  constructor() {
    setLogFormat('json');
    setLogLevel('debug');
    this.previous = setLogSink((line) => {
      this.events.push(JSON.parse(line) as LogEvent);
      for (const listener of this.listeners) listener();
    });
  }

  /** Events logged by the transport of `peerId` (all when omitted). */
  of(peerId?: string): LogEvent[] {
    return peerId === undefined ? this.events : this.events.filter((e) => e.module === `transport:${peerId}`);
  }

  waitFor(predicate: (e: LogEvent) => boolean, timeoutMs = 10_000): Promise<LogEvent> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.events.find(predicate);
        if (found) {
          clearTimeout(timer);
          this.listeners.delete(check);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`log event not seen within ${timeoutMs} ms; seen: ${this.events.map((e) => `${e.module}/${e.event}`).join(', ')}`));
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  restore(): void {
    if (this.previous) setLogSink(this.previous);
    this.previous = null;
    setLogLevel('info');
  }
}
