/**
 * The README's two-folder example, run as written: its two command lines are
 * read out of README.md (so the page and this test cannot drift), each run by
 * bash from a folder outside the clone with `leftsync` on PATH the way `npm
 * link` puts it there (a symlink to the bin). Only the folders and ports are
 * replaced, by temp folders and free ports. A file written into one share must
 * arrive in the other; SIGTERM then stops both with exit code 0.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, symlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, removeTempDirs, tempDir } from '../helpers/node-process.js';
import { freePort } from '../helpers/ports.js';
import { treeOf, waitForSameTrees, waitUntil } from '../helpers/tree.js';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));
const started: ChildProcess[] = [];

after(() => {
  for (const child of started) {
    // bash leads its own process group (detached): the group holds the node it started.
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  }
  removeTempDirs();
});

/** The command lines of the fenced block after "Two folders on one host". */
function twoFolderExample(): string[] {
  const text = readFileSync(README, 'utf8');
  const at = text.indexOf('Two folders on one host');
  assert.ok(at >= 0, 'README has the two-folder example');
  const block = /```\n([\s\S]*?)```/.exec(text.slice(at));
  assert.ok(block, 'a fenced block follows');
  return block[1]!.split('\n').filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

test("the README's two-folder example syncs as written, from folders outside the clone", async () => {
  const lines = twoFolderExample();
  assert.equal(lines.length, 2, lines.join('\n'));
  const folders = lines.map((line) => /mkdir -p (\S+)/.exec(line)?.[1]);
  const ports = lines.map((line) => /--port (\d+)/.exec(line)?.[1]);
  assert.ok(folders.every(Boolean) && ports.every(Boolean), 'each line names its folder and port');

  // What `npm link` does: a `leftsync` on PATH that is a symlink to the bin, made executable.
  const bin = tempDir('leftsync-bin-');
  chmodSync(CLI, 0o755);
  symlinkSync(CLI, path.join(bin, 'leftsync'));
  const root = tempDir('leftsync-readme-');
  const replacements: Array<[string, string]> = [];
  for (let i = 0; i < lines.length; i++) {
    replacements.push([folders[i]!, path.join(root, `peer${i}`)]);
    replacements.push([ports[i]!, String(await freePort())]);
  }
  const rewrite = (line: string): string => replacements.reduce((out, [from, to]) => out.split(from).join(to), line);

  const children = lines.map((line) => {
    const child = spawn('bash', ['-c', rewrite(line)], {
      cwd: root,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, LEFTSYNC_LOG_FORMAT: 'json' },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    started.push(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    return { child, stderr: () => stderr, exit: exitOf(child) };
  });

  const shares = replacements.filter((_, i) => i % 2 === 0).map(([, folder]) => path.join(folder, 'share'));
  // leftsync creates ./share in each folder.
  await waitUntil('both shares exist', async () => shares.every((share) => existsSync(share)), 30_000);
  await writeFile(path.join(shares[0]!, 'hello.txt'), 'hello from the README\n');
  const expected = await treeOf(shares[0]!);
  try {
    await waitForSameTrees(shares, { expected, timeoutMs: 60_000 });
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${children.map((c) => c.stderr()).join('\n---\n')}`);
  }

  for (const { child } of children) process.kill(-child.pid!, 'SIGTERM');
  const codes = await Promise.all(children.map((c) => c.exit));
  assert.deepEqual(codes, [0, 0], children.map((c) => c.stderr()).join('\n---\n'));
});
