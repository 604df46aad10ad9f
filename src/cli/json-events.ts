/**
 * `leftsync --json`: every event (src/status/events.ts) as one JSON object per
 * line on stdout, for scripts; logs stay on stderr.
 */
import type { SyncEvent } from '../status/events.js';

export function printEventLine(event: SyncEvent): void {
  process.stdout.write(JSON.stringify(event) + '\n');
}
