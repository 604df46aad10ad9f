/**
 * Logs repeated connection failures without letting a stranger write our log.
 * The first failure under a key is one line; repeats within the window are
 * only counted, and at the end of each window in which some repeated, one
 * summary line says how many (`failures.repeated`). A window without repeats
 * ends the streak: the next failure is a full line again.
 *
 * The transport keys inbound failures by event, remote host and code: never by
 * anything the remote chooses (peer ids, messages, ports). At most maxKeys
 * streaks are tracked; failures beyond that are folded into one key per event
 * (address "*"), so rotating source addresses cannot grow memory either.
 */
import type { LogFields, Logger } from '../log.js';

export const REPEAT_WINDOW_MS = 60_000;
const MAX_KEYS = 1_000;

export type FailureLevel = 'info' | 'warn';

interface Streak {
  event: string;
  level: FailureLevel;
  address: unknown;
  since: number;
  repeats: number;
  last: LogFields;
}

export interface FailureLogOptions {
  windowMs?: number;
  maxKeys?: number;
  now?: () => number;
}

export class FailureLog {
  private readonly streaks = new Map<string, Streak>();
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly log: Logger,
    options: FailureLogOptions = {},
  ) {
    this.windowMs = options.windowMs ?? REPEAT_WINDOW_MS;
    this.maxKeys = options.maxKeys ?? MAX_KEYS;
    this.now = options.now ?? Date.now;
  }

  /** Logs `event` once per streak of `key`; repeats are counted for the summary (and logged at debug). */
  report(key: string, event: string, fields: LogFields, level: FailureLevel = 'warn'): void {
    let streak = this.streaks.get(key);
    if (!streak && this.streaks.size >= this.maxKeys) {
      key = `${event}|*`;
      streak = this.streaks.get(key);
      fields = { ...fields, address: '*' };
    }
    if (streak) {
      streak.repeats++;
      streak.last = fields;
      this.log.debug(event, { ...fields, repeated: true });
      return;
    }
    this.streaks.set(key, { event, level, address: fields.address, since: this.now(), repeats: 0, last: fields });
    this.log[level](event, fields);
    this.schedule();
  }

  /** Ends the streaks whose key starts with `prefix` (a success: the next failure is news again). */
  forget(prefix: string): void {
    for (const [key, streak] of this.streaks) {
      if (!key.startsWith(prefix)) continue;
      if (streak.repeats > 0) this.summarize(streak);
      this.streaks.delete(key);
    }
  }

  /** Emits summaries of streaks whose window is over; ends quiet ones. Called by the timer (tests call it directly). */
  flush(): void {
    const now = this.now();
    for (const [key, streak] of this.streaks) {
      if (now - streak.since < this.windowMs) continue;
      if (streak.repeats === 0) {
        this.streaks.delete(key);
        continue;
      }
      this.summarize(streak);
      streak.since = now;
      streak.repeats = 0;
    }
    if (this.streaks.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private summarize(streak: Streak): void {
    const { address: _address, ...last } = streak.last;
    this.log[streak.level]('failures.repeated', {
      event: streak.event,
      address: streak.address,
      count: streak.repeats,
      seconds: Math.round((this.now() - streak.since) / 1000),
      ...(last.code !== undefined ? { code: last.code } : {}),
      ...(last.reason !== undefined ? { lastReason: last.reason } : {}),
    });
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.flush(), Math.max(1, Math.floor(this.windowMs / 4)));
    this.timer.unref();
  }
}
