/**
 * The synchronous path for small files (src/scanner/small-hash.ts): the same
 * signature as the streaming hashFile, and the same checks: a link swapped in is
 * not followed, a file that changed or grew since its lstat is not recorded, a
 * vanished one is skipped, and a FIFO swapped in does not block the process.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, rename, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { chunkerParams } from '../../src/chunker/params.js';
import { matchesStats } from '../../src/model/file-stats.js';
import { hashFile } from '../../src/scanner/hash.js';
import { SMALL_FILE_BYTES, SmallHasher, hashWithStats } from '../../src/scanner/small-hash.js';
import { scanFixtureEach } from '../helpers/scan-fixture.js';

const fastcdc = chunkerParams('fastcdc');

describe('small files hashed synchronously', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'leftsync-small-hash-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const params of [fastcdc, chunkerParams('rabin')]) {
    it(`gives hashFile's signature for 0 B, 1 B and around the threshold (${params.engine})`, async () => {
      const small = new SmallHasher();
      for (const size of [0, 1, 4096, params.minSize, SMALL_FILE_BYTES - 1, SMALL_FILE_BYTES, SMALL_FILE_BYTES + 1]) {
        const file = path.join(dir, `f-${params.engine}-${size}`);
        await writeFile(file, randomBytes(size));
        const stats = lstatSync(file);
        const streamed = await hashFile(file, params, size);
        const { signature, after: restat } = await hashWithStats(small, file, stats, { params });
        assert.deepEqual(signature, streamed, `${size} bytes`);
        assert.ok(restat !== null && matchesStats({ size, mtimeMs: Math.round(stats.mtimeMs), inode: stats.ino }, restat));
        if (size <= SMALL_FILE_BYTES) assert.deepEqual((await small.hash(file, params, size)).signature, streamed, `${size} bytes, synchronous path`);
      }
    });
  }

  it('a 64 KiB file of several chunks: the same chunks as hashFile', async () => {
    // Repeating runs of zeros and text make FastCDC cut more than once below 64 KiB.
    const data = Buffer.concat(Array.from({ length: 8 }, (_, i) => Buffer.concat([randomBytes(6000), Buffer.alloc(2192, i)])));
    const file = path.join(dir, 'chunks');
    await writeFile(file, data);
    const { signature } = await new SmallHasher().hash(file, fastcdc, data.length);
    assert.deepEqual(signature, await hashFile(file, fastcdc, data.length));
  });

  it('a file swapped for a symlink after its lstat is not followed (ELOOP)', async () => {
    const file = path.join(dir, 'swapped');
    const outside = path.join(dir, 'outside-secret');
    await writeFile(file, 'ordinary content');
    await writeFile(outside, 'secret content!!');
    const stats = lstatSync(file);
    await unlink(file);
    await symlink(outside, file);
    await assert.rejects(new SmallHasher().hash(file, fastcdc, stats.size), (err: NodeJS.ErrnoException) => err.code === 'ELOOP');
  });

  it('a file that grew, or was rewritten at the same size, since its lstat reads as changed', async () => {
    const small = new SmallHasher();
    const grown = path.join(dir, 'grown');
    await writeFile(grown, 'start');
    const before = lstatSync(grown);
    await appendFile(grown, ' and more');
    const { signature } = await small.hash(grown, fastcdc, before.size);
    assert.equal(signature.size, before.size + 1, 'read one byte past the lstat size: grown');

    const rewritten = path.join(dir, 'rewritten');
    await writeFile(rewritten, 'aaaa');
    const first = lstatSync(rewritten);
    await writeFile(rewritten, 'bbbb');
    await utimes(rewritten, new Date(first.mtimeMs + 5_000), new Date(first.mtimeMs + 5_000));
    const result = await small.hash(rewritten, fastcdc, first.size);
    assert.equal(result.signature.size, first.size);
    const seen = { size: first.size, mtimeMs: Math.round(first.mtimeMs), inode: first.ino };
    assert.equal(matchesStats(seen, result.after!), false, 'the second lstat tells it changed');
  });

  it('a vanished file is ENOENT; one replaced by a FIFO does not block and reads as changed', async () => {
    const small = new SmallHasher();
    const gone = path.join(dir, 'gone');
    await writeFile(gone, 'x');
    const stats = lstatSync(gone);
    await unlink(gone);
    await assert.rejects(small.hash(gone, fastcdc, stats.size), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');

    const fifo = path.join(dir, 'fifo');
    await writeFile(fifo, 'was a file');
    const fileStats = lstatSync(fifo);
    await unlink(fifo);
    execFileSync('mkfifo', [fifo]);
    const result = await small.hash(fifo, fastcdc, fileStats.size);
    assert.equal(result.after!.isFIFO(), true);
    assert.equal(matchesStats({ size: fileStats.size, mtimeMs: Math.round(fileStats.mtimeMs), inode: fileStats.ino }, result.after!), false);
  });

  it('gives the event loop a turn once its budget is spent', async () => {
    const file = path.join(dir, 'turns');
    await writeFile(file, 'x');
    let turns = 0;
    const noBudget = new SmallHasher(0);
    for (let i = 0; i < 5; i++) {
      setImmediate(() => turns++);
      const before = turns;
      await noBudget.hash(file, fastcdc, 1);
      assert.equal(turns, before + 1, 'the immediate ran before the hash');
    }
  });
});

describe('the scanner with small files', () => {
  const fixture = scanFixtureEach('leftsync-small-scan-');
  const original = SmallHasher.prototype.hash;
  afterEach(() => {
    SmallHasher.prototype.hash = original;
  });

  /** Runs `meddle` on a file's path just before the synchronous path reads it. */
  const meddleBeforeHash = (name: string, meddle: (absPath: string) => Promise<void>) => {
    SmallHasher.prototype.hash = async function (this: SmallHasher, absPath, params, size) {
      if (path.basename(absPath) === name) await meddle(absPath);
      return original.call(this, absPath, params, size);
    };
  };

  it('records small files through the synchronous path with hashFile\'s digests and chunks', async () => {
    const { share, index, scanner } = fixture();
    const files = new Map<string, Buffer>();
    for (let i = 0; i < 150; i++) files.set(`d${i % 3}/f${i}.bin`, randomBytes(i * 400));
    for (let d = 0; d < 3; d++) await mkdir(path.join(share, `d${d}`));
    for (const [rel, data] of files) await writeFile(path.join(share, rel), data);
    let synchronous = 0;
    SmallHasher.prototype.hash = function (this: SmallHasher, ...args) {
      synchronous++;
      return original.apply(this, args);
    };
    const result = await scanner.scanAll();
    assert.equal(result.hashed, 150);
    assert.equal(synchronous, 150);
    for (const rel of files.keys()) {
      const streamed = await hashFile(path.join(share, rel), fastcdc);
      assert.deepEqual(index.get(rel)!.digest, streamed.digest, rel);
      assert.deepEqual(index.chunksOf(rel), streamed.chunks, rel);
    }
  });

  it('a file rewritten between its lstat and its read is unstable: not recorded this round, recorded the next', async () => {
    const { share, index, scanner } = fixture();
    await writeFile(path.join(share, 'busy.txt'), 'first version');
    meddleBeforeHash('busy.txt', async (absPath) => {
      await writeFile(absPath, 'second version, longer');
    });
    let result = await scanner.scanAll();
    assert.deepEqual(result.unstable, ['busy.txt']);
    assert.equal(index.get('busy.txt'), undefined);
    SmallHasher.prototype.hash = original;
    result = await scanner.scanAll();
    assert.deepEqual(result.unstable, []);
    assert.equal(index.get('busy.txt')!.size, 'second version, longer'.length);
  });

  it('a file swapped for a symlink between its lstat and its read is not followed nor recorded', async () => {
    const { base, share, index, scanner } = fixture();
    const outside = path.join(base, 'outside.txt');
    await writeFile(outside, 'outside the share');
    await writeFile(path.join(share, 'door.txt'), 'inside the share');
    meddleBeforeHash('door.txt', async (absPath) => {
      await rename(absPath, `${absPath}.moved-away`);
      await symlink(outside, absPath);
    });
    const result = await scanner.scanAll();
    assert.deepEqual(result.failed, []);
    assert.equal(index.get('door.txt'), undefined, 'neither the old file nor the link target recorded');
    assert.equal(index.chunksOf('door.txt').length, 0);
  });

  it('a file that vanishes before its read is skipped, not failed', async () => {
    const { share, index, scanner } = fixture();
    await writeFile(path.join(share, 'brief.txt'), 'here for a moment');
    meddleBeforeHash('brief.txt', (absPath) => unlink(absPath));
    const result = await scanner.scanAll();
    assert.deepEqual(result.failed, []);
    assert.deepEqual(result.unstable, []);
    assert.equal(index.get('brief.txt'), undefined);
  });
});
