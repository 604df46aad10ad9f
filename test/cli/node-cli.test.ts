/**
 * The default command as a new user meets it: --help, bad values, a --dir that
 * is a file or missing, a port in use, a second instance on one folder, no
 * --ip, -v/-q and --exclude. Real processes on 127.0.0.1, killed by PID.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { runCli } from '../helpers/cli-run.js';
import { cleanupNodes, removeTempDirs, startNode, tempDir } from '../helpers/node-process.js';
import { freePort } from '../helpers/ports.js';
import { waitUntil } from '../helpers/tree.js';

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

const SECRET = ['--secret', 'cli test secret'];

function stderrLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.trim() !== '');
}

test('--help lists every option with its default, the log variables and the exit codes', async () => {
  const { code, stdout } = await runCli(['--help']);
  assert.equal(code, 0);
  for (const option of ['--ip', '--dir', '--port', '--secret', '--secret-file', '--insecure', '--state', '--exclude', '-v, --verbose', '-q, --quiet', '--log-format', '--listen', '--engine', '--settle', '--bwlimit', '--dry-run']) {
    assert.ok(stdout.includes(option), `--help mentions ${option}`);
  }
  assert.match(stdout, /--dir <path>.*\(default: "\.\/share"\)/s);
  assert.match(stdout, /--port <port>.*\(default: 27182\)/s);
  assert.match(stdout, /--state <path>.*\(default: <dir>\/\.leftsync\)/s);
  assert.match(stdout, /LEFTSYNC_LOG /);
  assert.match(stdout, /LEFTSYNC_LOG_FORMAT/);
  assert.match(stdout, /Exit codes/);
});

const badValues: Array<[string, string[], RegExp]> = [
  ['a port that is no number', ['--port', 'abc'], /--port must be an integer/],
  ['a negative settle time', ['--settle', '-5'], /--settle/],
  ['-v with -q', ['-v', '-q'], /cannot be used with/],
  ['--secret with --insecure', ['--secret', 'x', '--insecure'], /cannot be used with/],
  ['an unknown option', ['--bogus'], /unknown option/],
  ['an empty --exclude', ['--exclude', ''], /--exclude needs a pattern/],
  ['a --bwlimit that is no rate', ['--bwlimit', 'fast'], /--bwlimit must be a number with an optional K, M or G, got "fast".*\(LS_USAGE\)/],
];
for (const [what, args, message] of badValues) {
  test(`a bad value (${what}) is one sentence and exit code 2`, async () => {
    const cwd = tempDir();
    const { code, stderr } = await runCli([...args, ...SECRET], { cwd });
    assert.equal(code, 2, stderr);
    assert.match(stderr, message);
    assert.equal(stderrLines(stderr).length, 1, `one line: ${stderr}`);
    assert.ok(!existsSync(path.join(cwd, 'share')), 'no share folder created for a bad command line');
  });
}

test('--dir naming a file is refused in one sentence (LS_BAD_INPUT, exit 2), not a raw EEXIST', async () => {
  const cwd = tempDir();
  writeFileSync(path.join(cwd, 'notes.txt'), 'a file\n');
  const { code, stderr } = await runCli(['--dir', 'notes.txt', ...SECRET], { cwd });
  assert.equal(code, 2, stderr);
  assert.match(stderr, /notes\.txt is not a folder.*LS_BAD_INPUT/);
  assert.doesNotMatch(stderr, /EEXIST|ENOTDIR/);
  assert.equal(stderrLines(stderr).length, 1);
});

test('--dir whose parent is missing is refused (rsync creates only the last folder)', async () => {
  const cwd = tempDir();
  const { code, stderr } = await runCli(['--dir', 'no/such/place', ...SECRET], { cwd });
  assert.equal(code, 2, stderr);
  assert.match(stderr, /parent folder .*no\/such does not exist.*LS_BAD_INPUT/);
  assert.ok(!existsSync(path.join(cwd, 'no')));
});

test('a port in use is refused before the scan, in one sentence (LS_PORT_IN_USE, exit 1)', async () => {
  const port = await freePort();
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
  try {
    const cwd = tempDir();
    const { code, stderr } = await runCli(['--port', String(port), '--listen', '127.0.0.1', ...SECRET], { cwd });
    assert.equal(code, 1, stderr);
    assert.match(stderr, new RegExp(`port ${port} is already in use.*LS_PORT_IN_USE`));
    assert.doesNotMatch(stderr, /scan\.done/, 'no scan before the refusal');
    assert.doesNotMatch(stderr, /EADDRINUSE/);
    assert.equal(stderrLines(stderr).length, 1, stderr);
  } finally {
    blocker.close();
  }
});

test('a second instance on one folder says which PID holds it and exits 1 (LS_LOCKED); a dead holder\'s lock is taken over', async () => {
  const dir = path.join(tempDir(), 'share');
  const first = startNode(dir, ['--port', String(await freePort()), '--listen', '127.0.0.1', ...SECRET]);
  await first.waitForEvent('node.started');

  const second = await runCli(['--dir', dir, '--port', String(await freePort()), '--listen', '127.0.0.1', ...SECRET, '--log-format', 'json']);
  assert.equal(second.code, 1, second.stderr);
  assert.match(second.stderr, new RegExp(`already being synced by leftsync PID ${first.pid}.*LS_LOCKED`));
  assert.doesNotMatch(second.stderr, /"scan\.done"/, 'the second instance does no work');

  // SIGKILL leaves the lock file behind; the next start sees its PID is gone.
  await first.kill('SIGKILL');
  const third = startNode(dir, ['--port', String(await freePort()), '--listen', '127.0.0.1', ...SECRET]);
  await third.waitForEvent('node.started');
  await third.kill('SIGTERM');
  assert.equal((await third.exit).code, 0);
});

test('without --ip it says it waits for peers to dial in; a missing --dir is created and said so; SIGTERM stops it cleanly', async () => {
  const dir = path.join(tempDir(), 'fresh');
  const port = await freePort();
  const node = startNode(dir, ['--port', String(port), '--listen', '127.0.0.1', ...SECRET]);
  const created = await node.waitForEvent('share.created');
  assert.match(String(created.msg), /created the share folder .*fresh/);
  const note = await node.waitForEvent('node.no_peers');
  assert.match(String(note.msg), new RegExp(`waiting for peers to dial in on port ${port}`));
  await node.waitForEvent('node.started');
  const from = node.mark();
  await node.kill('SIGTERM');
  assert.deepEqual(await node.exit, { code: 0, signal: null });
  assert.ok(node.events.slice(from).some((e) => e.event === 'node.stopped'), 'node.stopped logged');
  assert.ok(!existsSync(path.join(dir, '.leftsync', 'lock')), 'the lock is released');
});

test('-q logs only warnings and errors; -v adds debug lines; LEFTSYNC_LOG sets the level too', async () => {
  const run = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const dir = path.join(tempDir(), 'share');
    const node = startNode(dir, ['--port', String(await freePort()), '--listen', '127.0.0.1', '--insecure', '--settle', '50', ...args], { env });
    // node.started is info; with -q the insecure warning is the one line we can wait for.
    await node.waitForEvent('insecure');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // A local change: info lines (local.changed) and debug lines (watcher.event) at once.
    writeFileSync(path.join(dir, 'new.txt'), 'new\n');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await node.kill('SIGTERM');
    return node.events;
  };
  const quiet = await run(['-q']);
  assert.ok(quiet.length > 0 && quiet.every((e) => e.level === 'warn' || e.level === 'error'), JSON.stringify(quiet));
  const verbose = await run(['-v']);
  assert.ok(verbose.some((e) => e.level === 'debug' && e.event === 'watcher.event'), 'debug lines with -v');
  const fromEnv = await run([], { LEFTSYNC_LOG: 'warn' });
  assert.ok(fromEnv.every((e) => e.level === 'warn' || e.level === 'error'));
});

test('--exclude adds gitignore-style patterns to the ignore list', async () => {
  const dir = path.join(tempDir(), 'share');
  mkdirSync(path.join(dir, 'build'), { recursive: true });
  writeFileSync(path.join(dir, 'keep.txt'), 'kept\n');
  writeFileSync(path.join(dir, 'debug.log'), 'left out\n');
  writeFileSync(path.join(dir, 'build', 'out.o'), 'left out\n');
  const node = startNode(dir, ['--port', String(await freePort()), '--listen', '127.0.0.1', ...SECRET, '--exclude', '*.log', '--exclude', 'build/']);
  const scan = await node.waitForLog((e) => e.event === 'scan.done' && e.module === 'scanner');
  assert.equal(scan.entries, 1, 'only keep.txt is indexed');
  await node.kill('SIGTERM');
});

test('an explicit --log-format text wins over LEFTSYNC_LOG_FORMAT=json', async () => {
  const dir = path.join(tempDir(), 'share');
  const node = startNode(dir, ['--port', String(await freePort()), '--listen', '127.0.0.1', ...SECRET, '--log-format', 'text'], {
    json: false,
    env: { LEFTSYNC_LOG_FORMAT: 'json' },
  });
  await waitUntil('node.started in text form', () => node.textLines.some((line) => / INFO {2}\[node\] node\.started /.test(line)), 15_000);
  assert.equal(node.events.length, 0, 'no JSON lines');
  await node.kill('SIGTERM');
});
