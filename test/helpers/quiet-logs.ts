/**
 * Keeps leftsync's log lines out of the test runner's output unless the test
 * file fails. Loaded before every test file (`npm test` passes --import) and
 * imported by node-process.ts: in-process loggers write into a buffer instead
 * of stderr, real processes' stderr lines are added to it, and the buffer (its
 * last MAX_LINES lines) is printed to stderr only when the file exits non-zero.
 * Tests that read log events (LogCapture) replace the sink and restore this one.
 * LEFTSYNC_TEST_LOGS=1 prints every line as it comes, for debugging.
 */
import { setLogSink } from '../../src/log.js';

const MAX_LINES = 4_000;
const lines: string[] = [];
const passThrough = process.env.LEFTSYNC_TEST_LOGS === '1';

/** Keeps a line for the failure report (or prints it at once with LEFTSYNC_TEST_LOGS=1). */
export function keepLogLine(line: string): void {
  if (passThrough) {
    process.stderr.write(line + '\n');
    return;
  }
  lines.push(line);
  if (lines.length > MAX_LINES * 1.25) lines.splice(0, lines.length - MAX_LINES);
}

const installed = Symbol.for('leftsync.test.quietLogs');
const globals = globalThis as { [installed]?: boolean };
if (!globals[installed]) {
  globals[installed] = true;
  setLogSink(keepLogLine);
  process.on('exit', (code) => {
    if (code === 0 || lines.length === 0) return;
    const shown = lines.slice(-MAX_LINES);
    process.stderr.write(`--- the last ${shown.length} log lines of this test file (it failed) ---\n${shown.join('\n')}\n--- end of log lines ---\n`);
  });
}
