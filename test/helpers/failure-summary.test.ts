/**
 * The reporter `npm test` ends its output with (test/helpers/failure-summary.ts):
 * run on a file with a failing test, the last lines name that test and its
 * error; on a file whose tests all pass, it adds nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPORTER = fileURLToPath(new URL('./failure-summary.js', import.meta.url));

/** Runs node --test on `source` with TAP and the summary on stdout, as `npm test` does. */
async function runTests(t: { after(fn: () => Promise<void>): void }, source: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'leftsync-reporter-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'sample.test.mjs');
  await writeFile(file, source);
  const args = ['--test', '--test-reporter=tap', '--test-reporter-destination=stdout', `--test-reporter=${REPORTER}`, '--test-reporter-destination=stdout', file];
  // Without the variable that makes a child runner report to this one.
  const { NODE_TEST_CONTEXT: _parent, ...env } = process.env;
  return new Promise((resolve) => execFile(process.execPath, args, { cwd: dir, env }, (_err, stdout) => resolve(stdout)));
}

test('the summary at the end names each failed test, its file and its error; passing tests are not in it', async (t) => {
  const out = await runTests(
    t,
    `import { test } from 'node:test';
import assert from 'node:assert/strict';
test('adds up', () => assert.equal(1 + 1, 2));
test('one is two', () => assert.equal(1, 2, 'one is not two'));
`,
  );
  const summary = out.slice(out.lastIndexOf('# failed tests, as reported above:'));
  assert.match(summary, /^# failed tests, as reported above:\n# - one is two \(sample\.test\.mjs\)\n# {5}one is not two/);
  assert.doesNotMatch(summary, /adds up/);
  assert.match(out, /^not ok 2 - one is two$/m, 'the TAP report is there too');
});

test('nothing is added when every test passes', async (t) => {
  const out = await runTests(t, `import { test } from 'node:test';\ntest('fine', () => {});\n`);
  assert.match(out, /^ok 1 - fine$/m);
  assert.doesNotMatch(out, /failed tests/);
});
