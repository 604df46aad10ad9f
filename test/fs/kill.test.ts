import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const writer = path.join(path.dirname(fileURLToPath(import.meta.url)), 'replace-writer.js');

describe('atomic replace under SIGKILL', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('a writer killed at any moment leaves a whole version in place, never a partial one', { timeout: 120_000 }, async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'leftsync-kill-'));
    dirs.push(base);
    const root = path.join(base, 'share');
    const tmp = path.join(root, '.leftsync', 'tmp');
    await mkdir(tmp, { recursive: true });
    for (const afterVersions of [3, 10, 25]) {
      await new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, [writer, root, tmp], { stdio: ['ignore', 'pipe', 'inherit'] });
        let done = 0;
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (data: string) => {
          done += data.split('\n').length - 1;
          if (done >= afterVersions) child.kill('SIGKILL');
        });
        child.on('error', reject);
        child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`exit ${signal}`))));
      });
      const content = await readFile(path.join(root, 'victim.bin'));
      assert.equal(content.length, 2 << 20, 'a whole version');
      assert.ok(content.every((byte) => byte === content[0]), 'one version, not a mix');
    }
  });
});
