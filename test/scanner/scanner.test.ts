import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFile, chmod, mkdir, rename, rm, stat, symlink, unlink, utimes, writeFile, rmdir, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { chunkerParams } from '../../src/chunker/params.js';
import { signBuffer } from '../../src/chunker/sign.js';
import { openIndex } from '../../src/db/sqlite-index.js';
import { MAX_CHANGED_KEPT } from '../../src/scanner/scanner.js';
import { hashFile } from '../../src/scanner/hash.js';
import { ShareGuard } from '../../src/fs/share-guard.js';
import { MARKER_NAME } from '../../src/fs/share-marker.js';
import { scanFixtureEach } from '../helpers/scan-fixture.js';

const params = chunkerParams('fastcdc');
const sleepTicks = () => new Promise((resolve) => setTimeout(resolve, 20));
const sha = (data: string | Buffer) => createHash('sha256').update(data).digest();

describe('scanner', () => {
  const fixture = scanFixtureEach('leftsync-scan-');
  const changedPaths = (result: { changed: { path: string }[] }) => result.changed.map((e) => e.path);

  it('a rename scanned as one batch records the new name before the old name\'s tombstone', async () => {
    const { share, scanner, put } = fixture();
    await put('a-old/inner.bin', 'moved folder content');
    await put('b-old.bin', 'renamed file content');
    await scanner.scanAll();
    await rename(path.join(share, 'a-old'), path.join(share, 'z-new'));
    await rename(path.join(share, 'b-old.bin'), path.join(share, 'y-new.bin'));
    const result = await scanner.scanPaths(['a-old', 'b-old.bin', 'y-new.bin', 'z-new']);
    const order = changedPaths(result);
    assert.deepEqual(result.changed.filter((e) => e.deleted).map((e) => e.path).sort(), ['a-old', 'a-old/inner.bin', 'b-old.bin']);
    assert.deepEqual(result.changed.filter((e) => !e.deleted).map((e) => e.path).sort(), ['y-new.bin', 'z-new', 'z-new/inner.bin']);
    for (const [to, from] of [['y-new.bin', 'b-old.bin'], ['z-new/inner.bin', 'a-old/inner.bin'], ['z-new', 'a-old']]) {
      assert.ok(order.indexOf(to) < order.indexOf(from), `${to} before the tombstone of ${from}`);
    }
    assert.ok(order.indexOf('a-old/inner.bin') < order.indexOf('a-old'), 'children before their folder');
  });

  it('a renamed folder\'s files are recognised by inode, size and mtime and not hashed again; a changed one is', async () => {
    const { share, index, put, scannerWith } = fixture();
    const hashed: string[] = [];
    const counting = await scannerWith({
      hashFile: async (absPath, p, size) => {
        hashed.push(path.relative(share, absPath));
        return hashFile(absPath, p, size);
      },
    });
    for (let i = 0; i < 20; i++) await put(`old/f${i}.bin`, `content of file ${i}`);
    await counting.scanAll();
    assert.equal(hashed.length, 20);
    hashed.length = 0;
    await rename(path.join(share, 'old'), path.join(share, 'new'));
    await appendFile(path.join(share, 'new/f7.bin'), ' edited after the move');
    const result = await counting.scanPaths(['new', 'old']);
    assert.deepEqual(hashed, ['new/f7.bin'], 'only the file edited after the move was read');
    for (let i = 0; i < 20; i++) {
      const moved = index.get(`new/f${i}.bin`)!;
      const content = `content of file ${i}${i === 7 ? ' edited after the move' : ''}`;
      const signature = await signBuffer(Buffer.from(content), params);
      assert.deepEqual(moved.digest, signature.digest, `new/f${i}.bin digest`);
      assert.deepEqual(index.chunksOf(`new/f${i}.bin`).map((c) => c.hash), signature.chunks.map((c) => c.hash));
      assert.equal(index.get(`old/f${i}.bin`)!.deleted, true);
    }
    assert.equal(result.changed.filter((e) => e.deleted).length, 21, 'the old files and folder are tombstones');
    // A file put back under an old name later is a new file: read and hashed as usual.
    hashed.length = 0;
    await put('old/f3.bin', 'content of file 3');
    await counting.scanPaths(['old', 'old/f3.bin']);
    assert.deepEqual(hashed, ['old/f3.bin']);
  });

  it('records files, nested and empty folders, symlinks (not followed), modes and NFC names', async () => {
    const { base, share, index, scanner, put } = fixture();
    const big = Buffer.alloc(300_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
    await put('a.txt', 'hello');
    await put('nested/deep/b.bin', big);
    await put('empty-file', '');
    await mkdir(path.join(share, 'empty-dir'));
    await chmod(path.join(share, 'a.txt'), 0o600);
    const outside = path.join(base, 'outside');
    await mkdir(outside);
    await writeFile(path.join(outside, 'secret'), 'no');
    await symlink(outside, path.join(share, 'link-out'));
    await put('cafe\u0301.txt', 'nfd name'); // "café" written decomposed

    const result = await scanner.scanAll();
    assert.deepEqual(result.unstable, []);
    assert.deepEqual(result.failed, []);
    assert.equal(result.hashed, 4);
    const paths = changedPaths(result).sort();
    assert.deepEqual(paths, ['a.txt', 'café.txt', 'empty-dir', 'empty-file', 'link-out', 'nested', 'nested/deep', 'nested/deep/b.bin'].sort());
    assert.ok(paths.every((p) => p === p.normalize('NFC')));
    // Parents are recorded before their contents.
    const order = changedPaths(result);
    assert.ok(order.indexOf('nested') < order.indexOf('nested/deep'));
    assert.ok(order.indexOf('nested/deep') < order.indexOf('nested/deep/b.bin'));

    const a = index.get('a.txt')!;
    assert.equal(a.type, 'file');
    assert.equal(a.size, 5);
    assert.equal(a.mode, 0o600);
    assert.deepEqual(a.digest, sha('hello'));
    assert.deepEqual(a.version, { me: 1 });
    const b = index.get('nested/deep/b.bin')!;
    const expected = await signBuffer(big, params);
    assert.deepEqual(b.digest, expected.digest);
    assert.deepEqual(index.chunksOf('nested/deep/b.bin'), expected.chunks.map((c) => ({ offset: c.offset, length: c.length, hash: Buffer.from(c.hash) })));
    assert.equal(index.get('empty-file')!.size, 0);
    assert.deepEqual(index.get('empty-file')!.digest, sha(''));
    assert.equal(index.get('empty-dir')!.type, 'dir');
    const link = index.get('link-out')!;
    assert.equal(link.type, 'symlink');
    assert.equal(link.symlinkTarget, outside);
    assert.equal(index.get('link-out/secret'), undefined, 'the link is not followed');
    assert.equal(index.all().some((e) => e.path.startsWith('.leftsync')), false, 'state folder skipped');
  });

  it('a rescan of unchanged files reads nothing and records nothing', async () => {
    const { share, index, scanner, put } = fixture();
    await put('x/1', 'one');
    await put('x/2', 'two');
    await symlink('1', path.join(share, 'x/l'));
    await scanner.scanAll();
    const max = index.maxSequence();
    const again = await scanner.scanAll();
    assert.equal(again.hashed, 0);
    assert.deepEqual(again.changed, []);
    assert.equal(again.unchanged, 4);
    assert.equal(index.maxSequence(), max);
  });

  it('a modified file is rehashed and gets a bumped version; others are not read', async () => {
    const { index, scanner, put } = fixture();
    await put('keep', 'same');
    await put('edit', 'v1');
    await scanner.scanAll();
    await put('edit', 'version 2');
    const result = await scanner.scanAll();
    assert.equal(result.hashed, 1);
    assert.deepEqual(changedPaths(result), ['edit']);
    assert.deepEqual(index.get('edit')!.version, { me: 2 });
    assert.deepEqual(index.get('edit')!.digest, sha('version 2'));
  });

  it('a mode change is recorded without rehashing', async () => {
    const { share, index, scanner, put } = fixture();
    await put('script.sh', '#!/bin/sh\n');
    await scanner.scanAll();
    await chmod(path.join(share, 'script.sh'), 0o755);
    const result = await scanner.scanAll();
    assert.equal(result.hashed, 0);
    assert.deepEqual(changedPaths(result), ['script.sh']);
    assert.equal(index.get('script.sh')!.mode, 0o755);
    assert.deepEqual(index.get('script.sh')!.digest, sha('#!/bin/sh\n'));
    assert.equal(index.chunksOf('script.sh').length, 1);
  });

  it('same bytes and mtime under a new inode only refresh the inode', async () => {
    const { base, share, index, scanner, put } = fixture();
    await put('f', 'content');
    const mtime = new Date(1_650_000_000_000);
    await utimes(path.join(share, 'f'), mtime, mtime);
    await scanner.scanAll();
    const before = index.get('f')!;
    await copyFile(path.join(share, 'f'), path.join(base, 'copy'));
    await utimes(path.join(base, 'copy'), mtime, mtime);
    await rename(path.join(base, 'copy'), path.join(share, 'f'));
    const result = await scanner.scanAll();
    assert.equal(result.hashed, 1);
    assert.deepEqual(result.changed, []);
    const after = index.get('f')!;
    assert.notEqual(after.inode, before.inode);
    assert.equal(after.sequence, before.sequence);
    assert.equal((await scanner.scanAll()).hashed, 0);
  });

  it('deleted files and folders become tombstones, children first', async () => {
    const { share, index, scanner, put } = fixture();
    await put('tree/sub/leaf', 'x');
    await put('tree/top', 'y');
    await put('stay', 'z');
    await scanner.scanAll();
    await rm(path.join(share, 'tree'), { recursive: true });
    const result = await scanner.scanAll();
    assert.deepEqual(changedPaths(result), ['tree/top', 'tree/sub/leaf', 'tree/sub', 'tree']);
    assert.ok(result.changed.every((e) => e.deleted && e.version.me === 2));
    assert.equal(index.get('stay')!.deleted, false);
    assert.deepEqual((await scanner.scanAll()).changed, [], 'a tombstone is not recorded twice');
    await put('tree/top', 'back');
    const back = await scanner.scanAll();
    assert.deepEqual(changedPaths(back), ['tree', 'tree/top']);
    assert.deepEqual(index.get('tree/top')!.version, { me: 3 });
  });

  it('a file replaced by a folder (and back) changes type; the old children are deleted', async () => {
    const { share, index, scanner, put } = fixture();
    await put('thing/inner', 'i');
    await scanner.scanAll();
    await rm(path.join(share, 'thing'), { recursive: true });
    await put('thing', 'now a file');
    const result = await scanner.scanPaths(['thing']);
    assert.equal(index.get('thing')!.type, 'file');
    assert.equal(index.get('thing/inner')!.deleted, true);
    assert.deepEqual(changedPaths(result).sort(), ['thing', 'thing/inner']);
  });

  it('default ignores, .leftsyncignore rules and negation; ignored paths are never deleted', async () => {
    const { index, scanner, put } = fixture();
    await put('.notes.txt.swp', 'swap');
    await put('backup~', 'b');
    await put('.DS_Store', 'mac');
    await put('save.tmp', 'tmp');
    await put('keep.tmp', 'wanted');
    await put('build/out.o', 'obj');
    await put('logs/a.log', 'log');
    await put('src/main.c', 'int main;');
    await put('.leftsyncignore', 'build/\n*.log\n!keep.tmp\n');
    let result = await scanner.scanAll();
    assert.deepEqual(changedPaths(result).sort(), ['.leftsyncignore', 'keep.tmp', 'logs', 'src', 'src/main.c']);
    // A path that becomes ignored stays in the index as it was (no tombstone).
    await put('.leftsyncignore', 'build/\n*.log\n!keep.tmp\nsrc/\n');
    result = await scanner.scanAll();
    assert.deepEqual(changedPaths(result), ['.leftsyncignore']);
    assert.equal(index.get('src/main.c')!.deleted, false);
    // scanPaths respects the rules too.
    await put('logs/b.log', 'log');
    assert.deepEqual((await scanner.scanPaths(['logs/b.log', 'build/out.o', '.leftsync/index.db'])).changed, []);
  });

  it('scanPaths records a new file with its new folders, and a vanished folder with its contents', async () => {
    const { base, share, scanner, put } = fixture();
    await put('old/one', '1');
    await put('old/two', '2');
    await scanner.scanAll();
    await put('new/deeper/file', 'fresh');
    let result = await scanner.scanPaths(['new/deeper/file']);
    assert.deepEqual(changedPaths(result), ['new', 'new/deeper', 'new/deeper/file']);
    await rm(path.join(share, 'old'), { recursive: true });
    result = await scanner.scanPaths(['old']);
    assert.deepEqual(changedPaths(result), ['old/two', 'old/one', 'old']);
    // A folder moved in: rescanning the folder picks up everything inside.
    await mkdir(path.join(base, 'incoming/x'), { recursive: true });
    await writeFile(path.join(base, 'incoming/x/y'), 'moved in');
    await rename(path.join(base, 'incoming'), path.join(share, 'incoming'));
    result = await scanner.scanPaths(['incoming']);
    assert.deepEqual(changedPaths(result), ['incoming', 'incoming/x', 'incoming/x/y']);
    // Paths that are unsafe or unknown are ignored quietly.
    result = await scanner.scanPaths(['../etc/passwd', 'does/not/exist']);
    assert.deepEqual(result.changed, []);
  });

  it('a decomposed (NFD) name on disk is found by its NFC path and never taken for a deletion', async () => {
    const { share, index, scanner, put } = fixture();
    await put('re\u0301sume\u0301/cafe\u0301.txt', 'nfd');
    await scanner.scanAll();
    const nfc = 'r\u00e9sum\u00e9/caf\u00e9.txt';
    assert.equal(index.get(nfc)!.deleted, false);
    for (const given of [nfc, 're\u0301sume\u0301/cafe\u0301.txt', 'r\u00e9sum\u00e9']) {
      const result = await scanner.scanPaths([given]);
      assert.deepEqual(result.changed, [], `rescanning ${JSON.stringify(given)} changes nothing`);
    }
    await rm(path.join(share, 're\u0301sume\u0301/cafe\u0301.txt'));
    assert.deepEqual(changedPaths(await scanner.scanPaths([nfc])), [nfc]);
    assert.equal(index.get(nfc)!.deleted, true);
  });

  it('scanPaths does not follow a symlinked parent', async () => {
    const { base, share, index, scanner } = fixture();
    const outside = path.join(base, 'outside');
    await mkdir(outside);
    await writeFile(path.join(outside, 'secret'), 'no');
    await symlink(outside, path.join(share, 'door'));
    const result = await scanner.scanPaths(['door/secret']);
    // The link is recorded as a link; nothing behind it is read.
    assert.deepEqual(changedPaths(result), ['door']);
    assert.equal(index.get('door')!.type, 'symlink');
    assert.equal(index.get('door/secret'), undefined);
  });

  it('a file that changes while it is hashed is skipped this round and taken the next', async () => {
    const { index, put, scannerWith } = fixture();
    await put('growing.log', 'start');
    let grow = true;
    const growingScanner = await scannerWith({
      hashFile: async (absPath, p) => {
        const signature = await hashFile(absPath, p);
        if (grow && absPath.endsWith('growing.log')) await appendFile(absPath, ' more');
        return signature;
      },
    });
    let result = await growingScanner.scanAll();
    assert.deepEqual(result.unstable, ['growing.log']);
    assert.equal(index.get('growing.log'), undefined);
    grow = false;
    result = await growingScanner.scanAll();
    assert.deepEqual(result.unstable, []);
    assert.deepEqual(index.get('growing.log')!.digest, sha('start more'));
  });

  it('refuses to scan a missing share instead of deleting everything', async () => {
    const { base, share, index, scanner, put } = fixture();
    await put('precious', 'data');
    await scanner.scanAll();
    const elsewhere = path.join(base, 'moved-away');
    await rename(share, elsewhere);
    await assert.rejects(scanner.scanAll(), (err: unknown) => err instanceof Error && (err as { code?: string }).code === 'LS_SHARE_MISSING');
    await assert.rejects(scanner.scanPaths(['precious']), (err: unknown) => (err as { code?: string }).code === 'LS_SHARE_MISSING');
    await rename(elsewhere, share);
    assert.equal(index.get('precious')!.deleted, false);
  });

  it('refuses to scan a share without its marker (a folder replaced by an empty one): nothing is recorded as deleted', async () => {
    const { base, share, index, scanner, put } = fixture();
    await put('precious', 'data');
    await put('sub/keep', 'more');
    await put('.leftsyncignore', '!/.leftsync-share\n');
    await scanner.scanAll();
    assert.equal(index.get(MARKER_NAME), undefined, 'the marker is never recorded (so never synced), whatever the rules say');
    const elsewhere = path.join(base, 'old-share');
    await rename(share, elsewhere);
    await mkdir(share); // an empty folder where the share was
    await assert.rejects(scanner.scanAll(), (err: unknown) => (err as { code?: string }).code === 'LS_SHARE_MISSING');
    await assert.rejects(scanner.scanPaths(['precious', 'sub']), (err: unknown) => (err as { code?: string }).code === 'LS_SHARE_MISSING');
    assert.equal(index.get('precious')!.deleted, false);
    assert.equal(index.get('sub/keep')!.deleted, false);
    await rm(share, { recursive: true });
    await rename(elsewhere, share);
    const back = await scanner.scanAll();
    assert.deepEqual(back.changed, [], 'the share is back as it was: nothing changed');
  });

  it('refuses to scan a share whose root is on another device than recorded', async () => {
    const { share, stateDir, index, scanner, put, scannerWith } = fixture();
    await put('precious', 'data');
    await scanner.scanAll();
    const device = (await stat(share)).dev;
    const moved = await scannerWith({ share: new ShareGuard({ shareDir: share, stateDir, device: device + 1 }) });
    await unlink(path.join(share, 'precious'));
    await assert.rejects(moved.scanAll(), (err: unknown) => (err as { code?: string }).code === 'LS_SHARE_MISSING');
    assert.equal(index.get('precious')!.deleted, false);
    assert.ok((await stat(path.join(share, MARKER_NAME))).isFile(), 'the marker is there: only the device differs');
  });

  it('scans run one at a time even when started together', async () => {
    const { scanner, put } = fixture();
    await put('p/q', 'r');
    const [a, b] = await Promise.all([scanner.scanAll(), scanner.scanPaths(['p/q'])]);
    assert.deepEqual(changedPaths(a), ['p', 'p/q']);
    assert.deepEqual(b.changed, []);
    assert.equal(b.hashed, 0);
  });

  it('exclusive() keeps scans out while a change is applied, and can scan inside', async () => {
    const { share, index, scanner, put } = fixture();
    await put('applied', 'old');
    await scanner.scanAll();
    const events: string[] = [];
    const applying = scanner.exclusive(async (scanNow) => {
      events.push('apply:start');
      assert.deepEqual((await scanNow(['applied'])).changed, []);
      await sleepTicks();
      await put('applied', 'from a peer');
      const st = await stat(path.join(share, 'applied'));
      index.recordApplied(
        { ...index.get('applied')!, size: st.size, mtimeMs: Math.round(st.mtimeMs), inode: st.ino, digest: sha('from a peer'), version: { peer: 1, me: 1 }, modifiedBy: 'peer' },
        [],
      );
      events.push('apply:end');
    });
    const scanning = scanner.scanAll().then((r) => {
      events.push('scan');
      return r;
    });
    await applying;
    const result = await scanning;
    assert.deepEqual(events, ['apply:start', 'apply:end', 'scan']);
    assert.equal(result.hashed, 0, 'the applied file is not mistaken for a local edit');
    assert.deepEqual(index.get('applied')!.version, { peer: 1, me: 1 });
  });

  it('hands every recorded entry to onRecorded, group by group, while the scan goes on', async () => {
    const { put, scannerWith } = fixture();
    // More files than one commit takes (512): a scan this size is recorded in several.
    for (let d = 0; d < 3; d++) for (let f = 0; f < 300; f++) await put(`g${d}/f${f}`, `${d}/${f}`);
    const groups: string[][] = [];
    const watched = await scannerWith({ onRecorded: (entries) => groups.push(entries.map((e) => e.path)) });
    const result = await watched.scanAll();
    assert.ok(groups.length > 1, 'more than one group');
    assert.deepEqual(groups.flat().sort(), changedPaths(result).sort());
    assert.equal(result.changedCount, 903);
  });

  it('10,000 unchanged files are not rehashed on a rescan', { timeout: 120_000 }, async () => {
    const { share, stateDir, index, scanner, scannerWith } = fixture();
    for (let d = 0; d < 100; d++) {
      await mkdir(path.join(share, `d${d}`));
      await Promise.all(Array.from({ length: 100 }, (_, f) => writeFile(path.join(share, `d${d}`, `f${f}.txt`), `file ${d}/${f}`)));
    }
    const first = await scanner.scanAll();
    assert.equal(first.hashed, 10_000);
    assert.equal(first.changedCount, 10_100);
    assert.equal(first.changed.length, MAX_CHANGED_KEPT, 'a result keeps only the first entries (onRecorded sees all)');
    const started = process.hrtime.bigint();
    const again = await scanner.scanAll();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(again.hashed, 0);
    assert.equal(again.unchanged, 10_100);
    assert.deepEqual(again.changed, []);
    // Also from a fresh process's point of view: reopen the index, new scanner.
    index.close();
    const fresh = await scannerWith({ index: openIndex(stateDir, 'me') });
    const started2 = process.hrtime.bigint();
    const restart = await fresh.scanAll();
    const ms2 = Number(process.hrtime.bigint() - started2) / 1e6;
    assert.equal(restart.hashed, 0);
    process.stderr.write(`# 10,000 unchanged files: rescan ${ms.toFixed(0)} ms, after reopen ${ms2.toFixed(0)} ms\n`);
  });
});
