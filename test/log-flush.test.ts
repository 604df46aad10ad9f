import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const LOG_MODULE = fileURLToPath(new URL('../src/log.js', import.meta.url));

/** Runs `body` in a fresh node process that imported the logger as `log`; its stderr. */
function stderrOf(body: string): string {
  const script = `import { createLogger, flushLogs } from ${JSON.stringify(LOG_MODULE)};\nconst log = createLogger('t');\n${body}`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, LEFTSYNC_LOG_FORMAT: 'json', LEFTSYNC_LOG: 'info' } });
  return run.stderr;
}

test('log lines written in one turn all reach stderr, in order, even when the process exits in that turn', () => {
  const events = (text: string) => text.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { event: string }).event);
  assert.deepEqual(events(stderrOf("log.info('one'); log.warn('two'); log.info('three'); process.exit(3);")), ['one', 'two', 'three']);
  assert.deepEqual(events(stderrOf("log.info('one'); setImmediate(() => log.info('two'));")), ['one', 'two']);
});

test('flushLogs puts waiting lines ahead of what is written to stderr next', () => {
  const text = stderrOf("log.info('before'); flushLogs(); process.stderr.write('leftsync: the error line\\n'); process.exit(1);");
  const lines = text.split('\n').filter(Boolean);
  assert.equal(lines.length, 2);
  assert.equal((JSON.parse(lines[0]!) as { event: string }).event, 'before');
  assert.equal(lines[1], 'leftsync: the error line');
});
