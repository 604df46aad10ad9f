/** The chunks and diff commands, run as a user runs them: a real process on real files. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chunkerParams } from '../../src/chunker/params.js';
import { signFile } from '../../src/cli/sign-file.js';
import { randomBytes } from '../../fixtures/cases.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
let dir: string;
let oldPath: string;
let newPath: string;
let textPath: string;

function run(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs a command that must succeed and print JSON; failures show stderr. */
async function runJson(...args: string[]): Promise<any> {
  const { code, stdout, stderr } = await run(...args);
  assert.equal(code, 0, `leftsync ${args.join(' ')} failed: ${stderr}`);
  return JSON.parse(stdout);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'leftsync-cli-'));
  const base = randomBytes(3 << 20, 501);
  oldPath = join(dir, 'old.bin');
  newPath = join(dir, 'new.bin');
  textPath = join(dir, 'new.txt');
  await writeFile(oldPath, base);
  const mid = base.length >> 1;
  await writeFile(newPath, Buffer.concat([base.subarray(0, mid), Buffer.from('an insert of a few bytes'), base.subarray(mid)]));
  await writeFile(textPath, 'compressible text, again and again. '.repeat(20_000));
  await mkdir(join(dir, 'folder'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('chunks --json prints the signature the library computes', { timeout: 60_000 }, async () => {
  const report = await runJson('chunks', oldPath, '--json');
  const sig = await signFile(oldPath, chunkerParams());
  assert.equal(report.params.engine, 'fastcdc');
  assert.equal(report.size, sig.size);
  assert.equal(report.digest, sig.digest.toString('hex'));
  assert.deepEqual(report.chunks, sig.chunks.map((c) => ({ offset: c.offset, length: c.length, hash: c.hash.toString('hex') })));
  assert.equal(report.totals.count, sig.chunks.length);
});

test('chunks prints a table with one line per chunk and totals', { timeout: 60_000 }, async () => {
  const { code, stdout } = await run('chunks', oldPath, '--engine', 'rabin');
  assert.equal(code, 0);
  const sig = await signFile(oldPath, chunkerParams('rabin'));
  assert.match(stdout, /engine {2}rabin/);
  for (const c of sig.chunks) assert.ok(stdout.includes(c.hash.toString('hex')));
  assert.match(stdout, new RegExp(`^${sig.chunks.length} chunks, `, 'm'));
});

test('diff --json: an insert in the middle costs one or two chunks', { timeout: 60_000 }, async () => {
  const r = await runJson('diff', oldPath, newPath, '--json');
  assert.ok(r.chunksNew >= 1 && r.chunksNew <= 2, `chunksNew ${r.chunksNew}`);
  assert.equal(r.chunksReused + r.chunksNew, r.newChunks);
  assert.ok(r.bytesRaw > 0 && r.bytesRaw <= 2 * 262144);
  assert.ok(r.bytesLz4 <= r.bytesRaw, 'random data is sent raw, never bigger');
  assert.ok(r.reuseRatio > 0.8 && r.reuseRatio < 1);
  // The tree nodes on the insert's path, not the whole chunk list (40 bytes a chunk).
  assert.ok(r.signatureNodes >= 1 && r.signatureBytes > 0 && r.signatureBytes < 40 * r.newChunks + 200, `signature ${r.signatureBytes} bytes`);
});

test('diff of identical files sends nothing; diff to text shows LZ4 shrinking it', { timeout: 60_000 }, async () => {
  const same = await runJson('diff', oldPath, oldPath, '--json', '--engine', 'rabin');
  assert.equal(same.params.engine, 'rabin');
  assert.equal(same.bytesRaw, 0);
  assert.equal(same.bytesLz4, 0);
  assert.equal(same.reuseRatio, 1);
  assert.equal(same.signatureBytes, 0, 'a peer holding the same version fetches no tree node');
  const text = await runJson('diff', oldPath, textPath, '--json');
  assert.equal(text.reuseRatio, 0);
  assert.ok(text.bytesLz4 < text.bytesRaw / 5, `${text.bytesLz4} vs ${text.bytesRaw}`);
});

test('diff prints a readable summary', { timeout: 60_000 }, async () => {
  const { code, stdout } = await run('diff', oldPath, newPath);
  assert.equal(code, 0);
  for (const label of ['chunks reused', 'chunks new', 'bytes raw', 'bytes lz4', 'reuse ratio']) assert.match(stdout, new RegExp(label));
});

for (const [what, args, pattern] of [
  ['a missing file', ['chunks', '/nonexistent/leftsync-nope'], /no such file/],
  ['a directory', ['diff', '<dir>', '<old>'], /is a directory/],
  ['an unknown engine', ['diff', '<old>', '<new>', '--engine', 'md5'], /unknown chunking engine "md5"/],
] as const) {
  test(`${what}: one sentence on stderr, exit code 2`, { timeout: 60_000 }, async () => {
    const real = args.map((a) => (a === '<dir>' ? join(dir, 'folder') : a === '<old>' ? oldPath : a === '<new>' ? newPath : a));
    const { code, stdout, stderr } = await run(...real);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, pattern);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
  });
}
