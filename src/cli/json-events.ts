/**
 * `leftsync --json`: every event (src/status/events.ts) as one JSON object per
 * line on stdout, for scripts; logs stay on stderr.
 */
import type { SyncEvent } from '../status/events.js';

let stdoutGone = false;
let watching = false;

export function printEventLine(event: SyncEvent): void {
  if (!watching) {
    watching = true;
    // A reader that went away (`leftsync --json | head`) ends the printing, not the sync.
    process.stdout.on('error', () => {
      stdoutGone = true;
    });
  }
  if (!stdoutGone) process.stdout.write(JSON.stringify(event) + '\n');
}
