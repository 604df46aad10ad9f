/**
 * A batch of small files made durable by one syncfs (sync -f) before and after
 * its renames: the fallback to fsync where sync -f is unavailable, decided once,
 * and a failing syncfs, which fails every file of the batch (none is reported
 * durable or placed).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';
import { placeTempFiles, writeDurableTempFiles, type TempFileContent } from '../../src/fs/batch-write.js';
import { SYNCFS_MIN_FILES, SyncShell, Syncfs, SyncfsUnsupported, spawnSyncF, type SyncfsRunner } from '../../src/fs/syncfs.js';
import { diskSteps, type ReplaceSteps } from '../../src/fs/write.js';

const MTIME_MS = Date.parse('2026-11-30T10:00:00.000Z');

/** A runner that records the folders it was asked for and does what `behave` says. */
function fakeRunner(behave: () => Promise<void>): SyncfsRunner & { calls: string[] } {
  const calls: string[] = [];
  const run = async (dir: string) => {
    calls.push(dir);
    await behave();
  };
  return Object.assign(run, { calls });
}

const ioError = () => Object.assign(new Error('sync -f: Input/output error'), { code: 'EIO' });

describe('syncfs batches', () => {
  let base: string;
  let root: string;
  let tmp: string;
  let n = 0;

  before(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'leftsync-syncfs-'));
    root = path.join(base, 'share');
    tmp = path.join(root, '.leftsync', 'tmp');
    await mkdir(tmp, { recursive: true });
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  function batch(count: number): TempFileContent[] {
    return Array.from({ length: count }, (_, i) => ({
      tempPath: path.join(tmp, `b-${n++}.tmp`),
      data: Buffer.from(`file ${i} of the batch`),
      mode: 0o640,
      mtimeMs: MTIME_MS + i,
    }));
  }

  /** Steps whose folder fsyncs are counted (the fallback's per-folder fsync). */
  function countingSteps(): ReplaceSteps & { dirSyncs: string[] } {
    const dirSyncs: string[] = [];
    return { ...diskSteps, dirSyncs, fsyncDir: async (dir) => { dirSyncs.push(dir); await diskSteps.fsyncDir(dir); } };
  }

  it('a batch written and placed with syncfs has its bytes, mode and mtime, and syncs once before and once after the renames', async () => {
    const runner = fakeRunner(async () => undefined);
    const syncfs = new Syncfs(runner);
    const files = batch(SYNCFS_MIN_FILES + 2);
    assert.deepEqual(await writeDurableTempFiles(files, syncfs), files.map(() => null));
    assert.equal(runner.calls.length, 1);
    const steps = countingSteps();
    const results = await placeTempFiles(root, files.map((f, i) => ({ relPath: `with/f${i}.txt`, tempPath: f.tempPath, expect: null })), steps, syncfs);
    assert.equal(runner.calls.length, 2);
    assert.deepEqual(steps.dirSyncs, [], 'no folder fsync when syncfs ran');
    for (let i = 0; i < files.length; i++) {
      assert.ok(!(results[i] instanceof LeftsyncError), `file ${i} placed`);
      const stats = await lstat(path.join(root, 'with', `f${i}.txt`));
      assert.equal(stats.mode & 0o777, 0o640);
      assert.equal(Math.round(stats.mtimeMs), MTIME_MS + i);
      assert.equal(stats.ino, (results[i] as { ino: number }).ino);
      assert.deepEqual(await readFile(path.join(root, 'with', `f${i}.txt`)), Buffer.from(files[i]!.data));
    }
  });

  it('where sync -f is unavailable the batch is made durable by fsync, decided at the first batch and not asked again', async () => {
    const runner = fakeRunner(async () => {
      throw new SyncfsUnsupported('sync: illegal option -- f');
    });
    const syncfs = new Syncfs(runner);
    for (const round of [0, 1]) {
      const files = batch(SYNCFS_MIN_FILES * 2);
      assert.deepEqual(await writeDurableTempFiles(files, syncfs), files.map(() => null));
      const steps = countingSteps();
      const results = await placeTempFiles(
        root,
        files.map((f, i) => ({ relPath: `fallback${round}/${i % 2 === 0 ? 'even' : 'odd'}/f${i}`, tempPath: f.tempPath, expect: null })),
        steps,
        syncfs,
      );
      assert.ok(results.every((r) => !(r instanceof LeftsyncError)), 'every file placed');
      assert.deepEqual(steps.dirSyncs.map((d) => path.basename(d)).sort(), ['even', 'odd'], 'one fsync per folder that received files');
    }
    assert.equal(runner.calls.length, 1, 'the unavailable tool was tried once');
  });

  it('a temp file keeps a pre-1970 mtime', async () => {
    const files = batch(2).map((f, i) => ({ ...f, mtimeMs: i === 0 ? -1 : -86_400_000 }));
    assert.deepEqual(await writeDurableTempFiles(files, new Syncfs(fakeRunner(async () => undefined))), [null, null]);
    assert.deepEqual(await Promise.all(files.map(async (f) => Math.round((await lstat(f.tempPath)).mtimeMs))), [-1, -86_400_000]);
  });

  it('a batch below SYNCFS_MIN_FILES keeps fsync', async () => {
    const runner = fakeRunner(async () => undefined);
    const syncfs = new Syncfs(runner);
    const files = batch(SYNCFS_MIN_FILES - 1);
    assert.deepEqual(await writeDurableTempFiles(files, syncfs), files.map(() => null));
    const steps = countingSteps();
    await placeTempFiles(root, files.map((f, i) => ({ relPath: `few/f${i}`, tempPath: f.tempPath, expect: null })), steps, syncfs);
    assert.deepEqual(runner.calls, []);
    assert.equal(steps.dirSyncs.length, 1);
  });

  it('a failing syncfs of the temp files fails every file of the batch and leaves no temp file', async () => {
    const syncfs = new Syncfs(fakeRunner(async () => { throw ioError(); }));
    const files = batch(SYNCFS_MIN_FILES);
    const before = new Set(await readdir(tmp));
    const errors = await writeDurableTempFiles(files, syncfs);
    for (const error of errors) assert.ok(error instanceof LeftsyncError && error.code === ErrorCode.IO, 'not durable: failed');
    const left = (await readdir(tmp)).filter((name) => !before.has(name));
    assert.deepEqual(left, []);
  });

  it('a syncfs that reports a full disk fails the files as DISK_FULL', async () => {
    const syncfs = new Syncfs(fakeRunner(async () => { throw Object.assign(new Error('No space left on device'), { code: 'ENOSPC' }); }));
    const errors = await writeDurableTempFiles(batch(SYNCFS_MIN_FILES), syncfs);
    for (const error of errors) assert.ok(error instanceof LeftsyncError && error.code === ErrorCode.DISK_FULL);
  });

  it('a failing syncfs after the renames reports none of the batch placed', async () => {
    let call = 0;
    const syncfs = new Syncfs(fakeRunner(async () => {
      if (++call === 2) throw ioError();
    }));
    const files = batch(SYNCFS_MIN_FILES + 1);
    assert.deepEqual(await writeDurableTempFiles(files, syncfs), files.map(() => null));
    const results = await placeTempFiles(root, files.map((f, i) => ({ relPath: `lost/f${i}`, tempPath: f.tempPath, expect: null })), countingSteps(), syncfs);
    assert.equal(call, 2);
    for (const result of results) assert.ok(result instanceof LeftsyncError && result.code === ErrorCode.IO, 'not reported placed');
  });

  it('callers arriving while a syncfs runs share the next one', async () => {
    const releases: (() => void)[] = [];
    const runner = fakeRunner(() => new Promise<void>((resolve) => releases.push(resolve)));
    const syncfs = new Syncfs(runner);
    const first = syncfs.sync(tmp);
    const waiting = [syncfs.sync(tmp), syncfs.sync(tmp), syncfs.sync(tmp)];
    assert.equal(runner.calls.length, 1);
    releases.shift()!();
    assert.equal(await first, 'synced');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(runner.calls.length, 2, 'one run for the three that waited');
    releases.shift()!();
    assert.deepEqual(await Promise.all(waiting), ['synced', 'synced', 'synced']);
  });

  it('the real sync -f syncs a folder, fails on a missing one, and is unsupported when the tool is missing', async (t) => {
    if (process.platform !== 'linux') return t.diagnostic('sync -f is Linux coreutils');
    await spawnSyncF(tmp);
    await assert.rejects(spawnSyncF(path.join(base, 'no-such-folder')), (err: unknown) => !(err instanceof SyncfsUnsupported) && (err as NodeJS.ErrnoException).code === 'EIO');
    const savedPath = process.env.PATH;
    process.env.PATH = path.join(base, 'empty-path');
    try {
      await assert.rejects(spawnSyncF(tmp), (err: unknown) => err instanceof SyncfsUnsupported);
    } finally {
      process.env.PATH = savedPath;
    }
  });
});

describe('the sync shell', { skip: process.platform === 'win32' ? 'the sync shell is /bin/sh, which Windows lacks' : false }, () => {
  let base: string;
  before(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'leftsync-sync-shell-'));
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  /** A stand-in for `sync` running `body` (sh); $1 is -f, $2 the folder. */
  async function fakeSync(name: string, body: string): Promise<string> {
    const file = path.join(base, name);
    await writeFile(file, `#!/bin/sh\n${body}\n`);
    await chmod(file, 0o755);
    return file;
  }

  const noFallback: SyncfsRunner = async (dir) => assert.fail(`fallback called for ${dir}`);

  it('one shell runs every request in turn, with the folder it was given', async () => {
    const log = path.join(base, 'calls.log');
    const shell = new SyncShell(await fakeSync('ok', `printf '%s %s %s\\n' "$PPID" "$1" "$2" >> '${log}'`), noFallback);
    const dirs = ['/a', '/b c', "/it's", '/d\\e'];
    for (const dir of dirs) await shell.run(dir);
    await Promise.all(dirs.map((dir) => shell.run(dir)));
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    assert.equal(lines.length, 8);
    assert.equal(new Set(lines.map((line) => line.split(' ')[0])).size, 1, 'one shell for all of them');
    assert.deepEqual(lines.map((line) => line.slice(line.indexOf(' ') + 1)), [...dirs, ...dirs].map((dir) => `-f ${dir}`));
  });

  it('the tool runs in the C locale with PATH only: no secret of ours in its environment', async () => {
    const seen = path.join(base, 'env.txt');
    const saved = process.env.LEFTSYNC_SECRET;
    process.env.LEFTSYNC_SECRET = 'not for the tool';
    try {
      const shell = new SyncShell(await fakeSync('env', `env > '${seen}'`), noFallback);
      await shell.run('/x');
    } finally {
      if (saved === undefined) delete process.env.LEFTSYNC_SECRET;
      else process.env.LEFTSYNC_SECRET = saved;
    }
    const env = await readFile(seen, 'utf8');
    assert.match(env, /^LC_ALL=C$/m);
    assert.doesNotMatch(env, /LEFTSYNC_SECRET/);
  });

  it('a failing sync rejects with its message, as EIO or ENOSPC; a refused -f or a missing tool is unsupported', async () => {
    const failing = new SyncShell(await fakeSync('eio', `echo "sync: error syncing '$2': Input/output error" >&2; exit 1`), noFallback);
    await assert.rejects(failing.run('/x'), (err: NodeJS.ErrnoException) => err.code === 'EIO' && /Input\/output error/.test(err.message) && !(err instanceof SyncfsUnsupported));
    await failing.run('/x').catch(() => undefined);
    const full = new SyncShell(await fakeSync('enospc', `echo "sync: error syncing '$2': No space left on device" >&2; exit 1`), noFallback);
    await assert.rejects(full.run('/x'), (err: NodeJS.ErrnoException) => err.code === 'ENOSPC');
    const refusing = new SyncShell(await fakeSync('old', `echo "sync: invalid option -- 'f'" >&2; exit 1`), noFallback);
    await assert.rejects(refusing.run('/x'), (err: unknown) => err instanceof SyncfsUnsupported);
    const missing = new SyncShell(path.join(base, 'no-such-tool'), noFallback);
    await assert.rejects(missing.run('/x'), (err: unknown) => err instanceof SyncfsUnsupported);
  });

  it('a request whose shell died unanswered is run by the fallback, and a later request gets a new shell', async () => {
    const fallbackCalls: string[] = [];
    const marker = path.join(base, 'died-once');
    // The first call kills the shell that runs it; later calls succeed.
    const tool = await fakeSync('dies', `if [ ! -e '${marker}' ]; then : > '${marker}'; kill -9 $PPID; sleep 1; fi`);
    const shell = new SyncShell(tool, async (dir) => void fallbackCalls.push(dir));
    await shell.run('/first');
    assert.deepEqual(fallbackCalls, ['/first']);
    await shell.run('/second');
    assert.deepEqual(fallbackCalls, ['/first'], 'answered by a new shell');
    assert.ok(shell.pid !== undefined);
  });

  it('an idle shell does not keep the process alive, and goes when the process does', async () => {
    const pidFile = path.join(base, 'shell.pid');
    const tool = await fakeSync('quiet', 'exit 0');
    const modules = new URL('../../src/fs/sync-runners.js', import.meta.url).href;
    const script = `import { SyncShell } from '${modules}'; import { writeFileSync } from 'node:fs';
      const shell = new SyncShell(${JSON.stringify(tool)}); await shell.run('/x'); writeFileSync(${JSON.stringify(pidFile)}, String(shell.pid));`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('the process did not exit with its shell idle'));
      }, 20_000);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    assert.equal(code, 0);
    const shellPid = Number(await readFile(pidFile, 'utf8'));
    assert.ok(shellPid > 0);
    const deadline = Date.now() + 10_000;
    while (alive(shellPid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(alive(shellPid), false, 'the shell ends when its pipe closes');
  });

  it('the real sync -f through the shell', async (t) => {
    if (process.platform !== 'linux') return t.diagnostic('sync -f is Linux coreutils');
    const shell = new SyncShell(null, noFallback);
    await shell.run(base);
    await assert.rejects(shell.run(path.join(base, 'no-such-folder')), (err: NodeJS.ErrnoException) => err.code === 'EIO');
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
