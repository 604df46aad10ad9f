import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { INDEX_FILE, openIndex } from '../../src/db/sqlite-index.js';

const writer = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crash-writer.js');

/** Runs the writer until it has committed `atLeast` calls, SIGKILLs it, returns the last committed number. */
function runAndKill(stateDir: string, atLeast: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, stateDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffered = '';
    let last = -1;
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (data: string) => {
      buffered += data;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      if (lines.length > 0) last = Number(lines.at(-1));
      if (!killed && last >= atLeast) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited without being killed (signal ${signal})`));
      else resolve(last);
    });
  });
}

describe('index survives SIGKILL', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('a writer killed mid-stream leaves a consistent, openable index (three kills in a row)', { timeout: 120_000 }, async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'leftsync-crash-'));
    dirs.push(stateDir);
    for (const atLeast of [300, 1200, 2500]) {
      const lastCommitted = await runAndKill(stateDir, atLeast);
      assert.ok(lastCommitted >= atLeast);

      const raw = new Database(path.join(stateDir, INDEX_FILE));
      assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
      raw.close();

      const index = openIndex(stateDir, 'crashy');
      const entries = index.all();
      assert.ok(entries.length > 0);
      const sequences = new Set(entries.map((e) => e.sequence));
      assert.equal(sequences.size, entries.length, 'sequences are unique');
      assert.ok(Math.max(...sequences) <= index.maxSequence());
      for (const entry of entries) {
        const chunks = index.chunksOf(entry.path);
        if (entry.deleted) assert.equal(chunks.length, 0, `${entry.path}: tombstone without chunks`);
        else assert.equal(chunks.length * 10, entry.size, `${entry.path}: entry and chunk list written together`);
      }
      // The last call the child reported as done is in the index (each call is durable once it returns).
      const lastPath = `dir${lastCommitted % 7}/file-${lastCommitted % 500}`;
      const found = index.get(lastPath)!;
      assert.ok(found.inode >= lastCommitted || found.deleted, `${lastPath} has the committed write`);
      index.close();
    }
  });
});
